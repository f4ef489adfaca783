"""What was committed to and what each partner received.

A copy is a pure function of (artifact, program key, advisory, partner), so copies are
never stored: only their digests (Copy) at first delivery, and every route by which each
copy left the program (Delivery: a download, a portal download, a read in the portal, a staff
export, and who).
Packages are cached on disk
(PackageFile) so that downloads at release time serve prepared files; the cache can be
thrown away at any time and is rebuilt to the same plaintext.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Commitment(models.Model):
    """A signed digest of the codebooks of an advisory, fixed before any copy goes out.

    Version 1 is made at scheduling; a later version is added (never replacing one) when
    a partner joins or an artifact changes after scheduling, before that copy goes out."""

    advisory = models.ForeignKey("advisories.Advisory", on_delete=models.PROTECT, related_name="commitments")
    version = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    statement = models.TextField(help_text="canonical JSON of what is committed to")
    signed_statement = models.TextField(help_text="the statement, clearsigned by the program's OpenPGP key")
    partner_uids = models.JSONField(default=list)
    artifact_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["advisory", "version"]
        constraints = [models.UniqueConstraint(fields=["advisory", "version"], name="one_commitment_version")]

    def __str__(self) -> str:
        return f"{self.advisory.ident} commitment v{self.version} {self.digest[:16]}"

    @property
    def audit_id(self) -> str:
        return f"{self.advisory.ident}/commitment/v{self.version}"


class Copy(models.Model):
    """The digest of a partner's copy of one artifact version, recorded at first delivery.

    Looked up by partner (through the unique constraint, partner first), by artifact
    (attribution) and by digest (an investigation's exact-copy match)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="copies",
                                db_index=False)
    artifact = models.ForeignKey("advisories.Artifact", on_delete=models.PROTECT, related_name="copies")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="copies", db_index=False)
    first_delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "artifact", "file_name"], name="one_copy_per_partner")]

    def __str__(self) -> str:
        return f"{self.file_name} for {self.partner.name} ({self.sha256[:16]})"


class PackageFile(models.Model):
    """A prepared, signed and encrypted package on disk for one partner and advisory."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="packages")
    advisory = models.ForeignKey("advisories.Advisory", on_delete=models.CASCADE, related_name="packages")
    content_key = models.CharField(max_length=64, help_text="digest of what the package is made from and who it is for")
    plaintext_sha256 = models.CharField(max_length=64)
    encrypted_sha256 = models.CharField(max_length=64, default="",
                                        help_text="digest of the file on disk, recorded when it was written")
    path = models.CharField(max_length=400)
    size = models.PositiveBigIntegerField()
    files = models.JSONField(default=list, help_text="name, kind, sha256, size and artifact of each file inside")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "advisory", "content_key"], name="one_package_per_content")]


class Route(models.TextChoices):
    """How a copy left the program."""

    DOWNLOAD = "download", "downloaded as a package (API or the partner client)"
    PORTAL = "portal", "downloaded in the browser (portal)"
    READ = "read", "read in the browser (portal's copy page)"
    EXPORT = "export", "exported in plain form by staff (headstart copy export)"


class Delivery(models.Model):
    """A route by which a copy left the program, and who took it that way, recorded the first
    time (with the audit event written in the same transaction).

    Looked up by copy (through the unique constraint, copy first): an investigation lists every
    route of an accused copy, so a copy that also left by a staff export shows it."""

    copy = models.ForeignKey(Copy, on_delete=models.PROTECT, related_name="deliveries", db_index=False)
    route = models.CharField(max_length=16, choices=Route.choices)
    by = models.CharField(max_length=320, blank=True,
                          help_text="who took the copy: the partner user, or the staff member who exported it")
    at = models.DateTimeField(default=timezone.now, help_text="first delivery of this copy by this route to or by this person")
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True,
                                               help_text="the audit event that recorded it (none for deliveries "
                                                         "recorded before routes were)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["copy", "route", "by"], name="one_delivery_per_route_and_person")]

    def __str__(self) -> str:
        return f"{self.copy_id} by {self.route} ({self.by or 'unknown'})"


class PreparationStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Preparation(models.Model):
    """Staff's request to prepare every partner's package of an advisory, run by a worker job
    (preparation_jobs.py): its state, its progress as partners are done, and its outcome."""

    advisory = models.ForeignKey("advisories.Advisory", on_delete=models.PROTECT, related_name="preparations")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=PreparationStatus.choices, default=PreparationStatus.QUEUED)
    partners_total = models.PositiveIntegerField(default=0, help_text="active partners to prepare for")
    partners_done = models.PositiveIntegerField(default=0)
    prepared = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, help_text="each partner that got no package, with the reason")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["advisory", "created_at"])]

    def __str__(self) -> str:
        return f"preparation {self.pk} of {self.advisory_id} ({self.status})"

    @property
    def audit_id(self) -> str:
        return f"{self.advisory.ident}/preparation/{self.pk}"

    @property
    def pending(self) -> bool:
        return self.status in (PreparationStatus.QUEUED, PreparationStatus.RUNNING)
