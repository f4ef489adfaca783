"""E-mail notifications to partners' contacts, sent by the background worker (`headstart worker`)."""
