"""TAXII 2.1 collections: what each partner's collection holds, authorised and audited."""
