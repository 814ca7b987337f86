"""Generated documents: issued at transitions, stored immutably, versioned, shown to the right
people, verifiable by anyone; the PDF text carries the fields DOMAIN.md lists."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories as ckan_factories
from PIL import Image
from pypdf import PdfReader

from ckanext.dinamis_relay.documents import jobs, storage
from ckanext.dinamis_relay.model import Adhesion, Document

from .. import factories

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "pdf"


# Helpers -----------------------------------------------------------------------------------


def send_transition(adhesion: Adhesion, to_state: str, action: str = "accept") -> None:
    """What a transition to `to_state` writes for the documents, committed (queued)."""
    assert adhesion.state == to_state
    jobs.enqueue_due(model.Session, adhesion)
    model.Session.commit()


def documents_of(adhesion_id: str) -> list[Document]:
    model.Session.expire_all()
    return list(
        model.Session.scalars(
            sa.select(Document)
            .where(Document.adhesion_id == adhesion_id)
            .order_by(Document.kind, Document.lang, Document.version)
        )
    )


def pdf_bytes(doc: Document | dict[str, Any]) -> bytes:
    row = model.Session.get(Document, doc["id"]) if isinstance(doc, dict) else doc
    assert row is not None
    return storage.read(row.storage_key)


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def save_first_page_png(data: bytes, name: str) -> None:
    """First page as PNG under test-artifacts/pdf, for a person to look at."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed: no PNG artifact")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(data)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf_path,
            ARTIFACTS / name,
        ],
        check=True,
    )
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 0


def call(action: str, user: dict[str, Any] | None, **data: Any) -> Any:
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return tk.get_action(f"dinamis_relay_document_{action}")(context, data)


def upload_logo(organization: dict[str, Any], data: bytes, name: str) -> None:
    """What CKAN's uploader leaves behind: a file in storage/uploads/group, its name in
    image_url."""
    folder = Path(tk.config["ckan.storage_path"]) / "storage" / "uploads" / "group"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    group = model.Group.get(organization["id"])
    group.image_url = name
    model.Session.commit()


def png_bytes(size: tuple[int, int] = (240, 120), color: str = "#2a6ebb") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


class LogSpy:
    """Records a module logger's messages (CKAN's logging setup may disable loggers created
    at import time, so caplog does not always see them)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def _record(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self.messages.append(msg % args if args else msg)

    info = warning = error = exception = _record

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


@pytest.fixture()
def logo_log(monkeypatch) -> LogSpy:
    from ckanext.dinamis_relay.documents import logo

    spy = LogSpy()
    monkeypatch.setattr(logo, "log", spy)
    return spy


def unique(prefix: str) -> str:
    return f"{prefix}-{os.urandom(4).hex()}"


# Issued at transitions ---------------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestIssuedAtTransitions:
    def test_acte_issued_in_a_job_when_a_classic_adhesion_is_accepted(self, run_jobs):
        adhesion = factories.document_adhesion("accepted", "classic")

        send_transition(adhesion, "accepted")
        assert documents_of(adhesion.id) == []  # nothing before the job runs
        run_jobs()

        (doc,) = documents_of(adhesion.id)
        assert doc.kind == "acte_adhesion"
        assert doc.number == adhesion.number
        assert (doc.version, doc.lang, doc.is_current) == (1, "fr", True)
        data = pdf_bytes(doc)
        assert data.startswith(b"%PDF")
        assert hashlib.sha256(data).hexdigest() == doc.sha256
        assert doc.size == len(data)

        text = pdf_text(data)
        for expected in (
            "ACTE D'ADHÉSION",
            f"N° {adhesion.number}",
            "Commune de Pessac",
            adhesion.siret,
            "Jeanne Maire, Maire",
            "Référente SIG, Responsable SIG",
            "charte-dinamis",
            "dinamis-spot67",
            "2024-10-15",
            # the two electronic validations with their time stamps (Paris time + UTC)
            "le 2 mars 2026 à 12:15:30 (heure de Paris, 2026-03-02T11:15:30Z)",
            "par Instructeur DINAMIS, instructeur DINAMIS",
            "le 5 mars 2026 à 10:15:30 (heure de Paris, 2026-03-05T09:15:30Z)",
            "Référence : BE-2026-17",
            "Version du 15 octobre 2024",
            "jusqu'au 5 mars 2029",
            "Adhésion directe selon la procédure classique",
            "Page 1 sur",
        ):
            assert expected in text, expected
        # The fingerprint (SHA-256 of the canonical content) and the verification address.
        grouped = " ".join(doc.content_sha256[i : i + 8] for i in range(0, 64, 8))
        assert grouped in text
        assert "http://test.ckan.net/dinamis/verify" in text
        save_first_page_png(data, "acte_adhesion")

    def test_relay_amendment_at_legal_acceptance_then_acte_and_convention(self, run_jobs):
        adhesion = factories.document_adhesion(
            "pending_instruction", "relay", legal_name="Communauté de communes du Val de l'Eyre"
        )

        send_transition(adhesion, "pending_instruction", action="legal_accept")
        run_jobs()
        (avenant,) = documents_of(adhesion.id)
        assert avenant.kind == "avenant"
        assert avenant.number == adhesion.amendment_number

        text = pdf_text(pdf_bytes(avenant))
        for expected in (
            "AVENANT À LA CONVENTION DE PARTENARIAT",
            f"N° {adhesion.amendment_number}",
            "COMMUNAUTÉ DE COMMUNES DU VAL DE L'EYRE",
            "convention de partenariat n° CONV-PIGMA-2024-012",
            "Version du 15 octobre 2024",
            "super référent",
            "avenant-relais",
            "Saisi et transmis électroniquement",
            "par Super Référent PIGMA",
            "éligible",
        ):
            assert expected in text, expected
        save_first_page_png(pdf_bytes(avenant), "avenant")

        # DINAMIS accepts: the acte and the convention; the amendment is not issued twice.
        adhesion = model.Session.get(Adhesion, adhesion.id)
        adhesion.state = "accepted"
        adhesion.number = "DINAMIS-2026-0042"
        adhesion.decided_at = adhesion.legal_accepted_at
        model.Session.commit()
        send_transition(adhesion, "accepted")
        run_jobs()

        docs = {doc.kind: doc for doc in documents_of(adhesion.id)}
        assert sorted(docs) == ["acte_adhesion", "avenant", "convention"]
        assert docs["avenant"].id == avenant.id and docs["avenant"].version == 1
        assert docs["convention"].number == "CONV-PIGMA-2024-012"
        acte_text = pdf_text(pdf_bytes(docs["acte_adhesion"]))
        assert "partenaire relais PIGMA" in acte_text
        assert f"avenant n° {adhesion.amendment_number}" in acte_text
        conv_text = pdf_text(pdf_bytes(docs["convention"]))
        for expected in (
            "CONVENTION DE PARTENARIAT POUR LA MISE À DISPOSITION DE DONNÉES NUMÉRIQUES",
            "N° CONV-PIGMA-2024-012",
            "Communauté de communes du Val de l'Eyre",
            "Version du 15 octobre 2024",
            "Partenaire relais",
        ):
            assert expected in conv_text, expected
        save_first_page_png(pdf_bytes(docs["convention"]), "convention")

    def test_other_transitions_issue_nothing(self, run_jobs):
        adhesion = factories.document_adhesion("suspended", "classic")
        send_transition(adhesion, "suspended", action="suspend")
        run_jobs()
        assert documents_of(adhesion.id) == []

    def test_a_classic_adhesion_has_no_amendment(self, run_jobs):
        adhesion = factories.document_adhesion("pending_instruction", "classic")
        send_transition(adhesion, "pending_instruction", action="legal_accept")
        run_jobs()
        assert documents_of(adhesion.id) == []

    def test_documents_missed_while_the_queue_was_down_are_issued_by_the_sweep(
        self, monkeypatch, run_jobs
    ):
        from ckanext.dinamis_relay.notifications import outbox

        adhesion = factories.document_adhesion("accepted", "classic")

        def broken(*args: Any, **kwargs: Any) -> None:
            raise ConnectionError("redis is down")

        with monkeypatch.context() as patch:
            patch.setattr(outbox, "_queue", broken)
            send_transition(adhesion, "accepted")  # must not raise
        run_jobs()
        assert documents_of(adhesion.id) == []
        assert outbox.sweep(grace_seconds=0)["queued"] == 1
        run_jobs()
        assert [d.kind for d in documents_of(adhesion.id)] == ["acte_adhesion"]
        assert outbox.status()["counts"] == {"pending": 0, "done": 1, "dead": 0}

    def test_the_job_is_idempotent(self, run_jobs):
        adhesion = factories.document_adhesion("accepted", "classic")
        send_transition(adhesion, "accepted")
        send_transition(adhesion, "accepted")
        run_jobs()
        assert len(documents_of(adhesion.id)) == 1


# One base template, the words from the catalogue -------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestOneBaseTemplateInEachLanguage:
    """Both languages share `pdf/base.html`: its words come from the French catalogue, its
    labels from the pages' translated labels (`labels.py`), rendered in the document's
    language whatever the caller's."""

    @staticmethod
    def _labels(lang: str) -> dict[str, str]:
        from ckanext.dinamis_relay import labels
        from ckanext.dinamis_relay.documents import pdf

        with pdf.in_language(lang):
            return {**labels.entity_types(), **labels.eligibility_categories()}

    def _convention(self, lang: str) -> str:
        staff = factories.staff()
        adhesion = factories.document_adhesion(
            "accepted", "relay", entity_type="service_etat", siret="13000000000017"
        )
        doc = call(
            "generate", staff.sysadmin, adhesion_id=adhesion.id, kind="convention", lang=lang
        )
        assert doc["lang"] == lang
        return pdf_text(pdf_bytes(doc))

    def test_french(self):
        text = self._convention("fr")
        labels = self._labels("fr")
        assert labels["service_etat"] != "Deconcentrated State service"  # translated
        for expected in (
            "Dispositif DINAMIS \u2013 Dispositif Institutionnel National d'Approvisionnement",
            "CONVENTION DE PARTENARIAT",
            "N° CONV-PIGMA-2024-012",
            "Convention de partenariat n° CONV-PIGMA-2024-012 \u2013 édition 1",
            "Édition n° 1 émise le",
            labels["service_etat"],
            "immatriculée sous le n° SIRET 13000000000017",
            "ci-après dénommée « le Partenaire »",
            "ci-après dénommé « le Partenaire relais »",
            "Saisi et transmis électroniquement",
            "Vérification de l'authenticité",
            "Empreinte numérique du document (SHA-256 de son contenu) :",
            "Toute personne peut vérifier ce document sur http://test.ckan.net/dinamis/verify",
            "Page 1 sur",
        ):
            assert expected in text, expected
        for english in ("Authenticity check", "hereinafter", "courtesy translation", "Page 1 of"):
            assert english not in text, english

    def test_english(self):
        text = self._convention("en")
        labels = self._labels("en")
        for expected in (
            "DINAMIS \u2013 French national scheme for shared access to satellite imagery",
            "PARTNERSHIP AGREEMENT",
            "No. CONV-PIGMA-2024-012",
            "the French version prevails",
            "Edition 1 issued on",
            # The pages' English label, not the one the English template had drifted to.
            "Deconcentrated State service",
            labels["service_etat"],
            "registered under SIRET no. 13000000000017",
            'hereinafter "the Partner"',
            'hereinafter "the Relay Partner"',
            "Entered and submitted electronically",
            "Authenticity check",
            "Anyone can check this document at http://test.ckan.net/dinamis/verify",
            "Page 1 of",
        ):
            assert expected in text, expected
        assert "Decentralised State service" not in text
        for french in ("Vérification de l'authenticité", "ci-après", "Page 1 sur"):
            assert french not in text, french


# Versions ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestVersions:
    def test_a_new_version_supersedes_and_the_old_one_stays_verifiable(self):
        staff = factories.staff()
        adhesion = factories.document_adhesion("accepted", "classic")
        first = call("generate", staff.instructor, adhesion_id=adhesion.id, kind="acte_adhesion")
        first_bytes = pdf_bytes(first)

        second = call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")

        assert (first["version"], second["version"]) == (1, 2)
        assert second["number"] == first["number"] == adhesion.number
        old = model.Session.get(Document, first["id"])
        model.Session.refresh(old)
        assert old.is_current is False
        assert old.superseded_by == second["id"]
        # The old file is untouched, still stored, and verifies as superseded.
        assert pdf_bytes(first) == first_bytes
        result = call("verify", None, upload=io.BytesIO(first_bytes))
        assert result["valid"] is True
        assert result["document"]["is_current"] is False
        assert result["document"]["current_version"] == 2
        assert "édition 2" in pdf_text(pdf_bytes(second))
        assert second["file_name"] == f"Acte-adhesion-{adhesion.number}-v2.pdf"

    def test_stored_files_are_never_overwritten(self):
        key = storage.make_key(
            unique("doc"), model.Session.execute(sa.select(sa.func.now())).scalar()
        )
        storage.save(key, b"%PDF-1.7 first")
        with pytest.raises(storage.StorageError):
            storage.save(key, b"%PDF-1.7 second")
        assert storage.read(key) == b"%PDF-1.7 first"

    def test_ckan_212_file_storage(self, ckan_config, monkeypatch, tmp_path, request):
        pytest.importorskip("ckan.lib.files", reason="CKAN 2.11 has no files API")
        # CKAN 2.12's fixture, looked up only once the files API is known to exist.
        reset_storages = request.getfixturevalue("reset_storages")
        prefix = "ckan.files.storage.dinamis_documents."
        monkeypatch.setitem(ckan_config, prefix + "type", "ckan:fs")
        monkeypatch.setitem(ckan_config, prefix + "path", str(tmp_path))
        monkeypatch.setitem(ckan_config, prefix + "initialize", True)
        monkeypatch.setitem(ckan_config, storage.STORAGE_OPTION, "dinamis_documents")
        reset_storages()
        staff = factories.staff()
        adhesion = factories.document_adhesion("accepted", "classic")

        doc = call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")

        row = model.Session.get(Document, doc["id"])
        stored = tmp_path / row.storage_key
        assert stored.read_bytes() == pdf_bytes(row)
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == doc["sha256"]
        with pytest.raises(storage.StorageError):
            storage.save(row.storage_key, b"%PDF-1.7 replacement")
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == doc["sha256"]

    def test_english_version_on_demand(self):
        staff = factories.staff()
        adhesion = factories.document_adhesion("accepted", "relay")
        doc = call(
            "generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion", lang="en"
        )
        assert doc["lang"] == "en"
        assert doc["file_name"].endswith("-en.pdf")
        text = pdf_text(pdf_bytes(doc))
        for expected in (
            "CERTIFICATE OF MEMBERSHIP",
            f"No. {adhesion.number}",
            "on 5 March 2026 at 10:15:30 (Paris time, 2026-03-05T09:15:30Z)",
            "via the relay partner PIGMA",
            "the French version prevails",
        ):
            assert expected in text, expected
        # French stays the default and has its own version line.
        fr = call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")
        assert (fr["lang"], fr["version"]) == ("fr", 1)

    @pytest.mark.parametrize(
        ("state", "mode", "kind", "field"),
        [
            ("pending_instruction", "classic", "acte_adhesion", "kind"),
            ("accepted", "classic", "avenant", "kind"),
            ("accepted", "classic", "convention", "kind"),
            ("pending_legal_validation", "relay", "avenant", "kind"),
        ],
    )
    def test_refused_generation_changes_nothing(self, state, mode, kind, field):
        staff = factories.staff()
        adhesion = factories.document_adhesion(state, mode)
        if state == "pending_legal_validation":
            row = model.Session.get(Adhesion, adhesion.id)
            row.legal_accepted_at = None
            model.Session.commit()
        with pytest.raises(tk.ValidationError) as err:
            call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind=kind)
        assert field in err.value.error_dict
        assert documents_of(adhesion.id) == []

    @pytest.mark.parametrize(
        "data",
        [
            {"adhesion_id": "nope", "kind": "acte_adhesion"},
            {"kind": "acte_adhesion"},
            {"adhesion_id": "x", "kind": "passport"},
            {"adhesion_id": "x", "kind": "acte_adhesion", "lang": "de"},
        ],
    )
    def test_bad_generate_input(self, data):
        staff = factories.staff()
        with pytest.raises((tk.ValidationError, tk.ObjectNotFound)):
            call("generate", staff.sysadmin, **data)
        assert model.Session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


# Verification ------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestVerify:
    @pytest.fixture()
    def issued(self) -> dict[str, Any]:
        staff = factories.staff()
        adhesion = factories.document_adhesion("accepted", "classic")
        return call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")

    def test_by_number_and_printed_fingerprint(self, issued):
        printed = " ".join(issued["content_sha256"][i : i + 8] for i in range(0, 64, 8)).upper()
        result = call("verify", None, number=issued["number"], fingerprint=printed)
        assert result["valid"] is True
        assert result["match"] == "fingerprint"
        doc = result["document"]
        assert (doc["number"], doc["kind"], doc["version"]) == (
            issued["number"],
            "acte_adhesion",
            1,
        )
        assert doc["entity_name"] == "Commune de Pessac"
        assert doc["is_current"] is True
        # No personal data in the public answer.
        assert "maire@pessac.fr" not in repr(result)

    def test_by_number_and_file_hash(self, issued):
        result = call("verify", None, number=issued["number"], fingerprint=issued["sha256"])
        assert result["valid"] is True

    def test_the_fingerprint_is_the_hash_of_the_stored_content(self, issued):
        from ckanext.dinamis_relay.documents import content

        doc = model.Session.get(Document, issued["id"])
        assert content.fingerprint(doc.content) == doc.content_sha256

    def test_wrong_fingerprint_or_number(self, issued):
        assert call("verify", None, number=issued["number"], fingerprint="0" * 64)["valid"] is False
        assert (
            call("verify", None, number="DINAMIS-1999-0001", fingerprint=issued["content_sha256"])[
                "valid"
            ]
            is False
        )

    def test_by_uploaded_file_and_a_tampered_copy(self, issued):
        data = pdf_bytes(issued)
        assert call("verify", None, upload=io.BytesIO(data))["match"] == "file"
        middle = len(data) // 2
        tampered = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
        assert call("verify", None, upload=io.BytesIO(tampered))["valid"] is False

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "number"),
            ({"number": "DINAMIS-2026-0001"}, "fingerprint"),
            ({"number": "DINAMIS-2026-0001", "fingerprint": "not-hex"}, "fingerprint"),
            ({"number": "x" * 500, "fingerprint": "0" * 64}, "number"),
            ({"upload": io.BytesIO(b"")}, "upload"),
            ({"upload": 42}, "upload"),
        ],
    )
    def test_bad_input_is_a_validation_error(self, data, field):
        with pytest.raises(tk.ValidationError) as err:
            call("verify", None, **data)
        assert field in err.value.error_dict

    def test_public_page_by_number_and_fingerprint(self, app, issued):
        response = app.get(
            tk.url_for("dinamis_relay.verify"),
            query_string={"number": issued["number"], "fingerprint": issued["content_sha256"]},
        )
        assert response.status_code == 200
        assert "Authentic document, currently in force" in response.body
        assert issued["number"] in response.body

        response = app.get(
            tk.url_for("dinamis_relay.verify"),
            query_string={"number": issued["number"], "fingerprint": "12"},
        )
        assert response.status_code == 200
        assert "A fingerprint is 64 hexadecimal characters" in response.body

    def test_public_page_by_upload(self, app, issued):
        page = app.get(tk.url_for("dinamis_relay.verify"))
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.body)
        assert token, "the upload form carries a CSRF token"
        response = app.post(
            tk.url_for("dinamis_relay.verify"),
            data={
                "_csrf_token": token.group(1),
                "upload": (io.BytesIO(pdf_bytes(issued)), "copie.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        assert "Authentic document, currently in force" in response.body


# Who sees what -----------------------------------------------------------------------------

ROLES = (
    "anonymous",
    "user",
    "member",
    "org_admin",
    "referent",
    "super_referent",
    "instructor",
    "sysadmin",
)
# A classic-mode entity: super-referents act on relay-mode entities only (logic/test_policy.py).
CAN_SEE = {"org_admin", "referent", "instructor", "sysadmin"}
CAN_GENERATE = {"instructor", "sysadmin"}


@pytest.fixture()
def world() -> dict[str, Any]:
    staff = factories.staff()
    referent = ckan_factories.User()
    member = ckan_factories.User()
    org_admin = ckan_factories.User()
    org = ckan_factories.Organization(
        users=[
            {"name": member["name"], "capacity": "member"},
            {"name": org_admin["name"], "capacity": "admin"},
        ]
    )
    adhesion = factories.document_adhesion(
        "accepted", "classic", organization=org, referent=referent
    )
    doc = call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")
    users = {
        "anonymous": None,
        "user": ckan_factories.User(),
        "member": member,
        "org_admin": org_admin,
        "referent": referent,
        "super_referent": staff.super_referent,
        "instructor": staff.instructor,
        "sysadmin": staff.sysadmin,
    }
    return {"users": users, "adhesion": adhesion, "doc": doc, "org": org}


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestAuthMatrix:
    @pytest.mark.parametrize("role", ROLES)
    def test_show_and_list(self, world, role):
        user = world["users"][role]
        doc = world["doc"]
        if role in CAN_SEE:
            assert call("show", user, id=doc["id"])["number"] == doc["number"]
            shown = call("show", user, adhesion_id=doc["adhesion_id"], kind="acte_adhesion")
            assert shown["id"] == doc["id"]
            assert "storage_key" not in shown
            listed = call("list", user, adhesion_id=doc["adhesion_id"])
            assert [d["id"] for d in listed["results"]] == [doc["id"]]
        else:
            with pytest.raises(tk.NotAuthorized):
                call("show", user, id=doc["id"])
            with pytest.raises(tk.NotAuthorized):
                call("list", user, adhesion_id=doc["adhesion_id"])

    @pytest.mark.parametrize("role", ROLES)
    def test_generate(self, world, role):
        user = world["users"][role]
        adhesion_id = world["adhesion"].id
        if role in CAN_GENERATE:
            assert (
                call("generate", user, adhesion_id=adhesion_id, kind="acte_adhesion")["version"]
                == 2
            )
        else:
            with pytest.raises(tk.NotAuthorized):
                call("generate", user, adhesion_id=adhesion_id, kind="acte_adhesion")
            assert len(documents_of(adhesion_id)) == 1

    @pytest.mark.parametrize("role", ROLES)
    def test_verify_is_public(self, world, role):
        doc = world["doc"]
        result = call(
            "verify", world["users"][role], number=doc["number"], fingerprint=doc["content_sha256"]
        )
        assert result["valid"] is True

    @pytest.mark.parametrize("role", ROLES)
    def test_download(self, app, world, role):
        user = world["users"][role]
        doc = world["doc"]
        headers = {}
        if user:
            token = ckan_factories.APIToken(user=user["name"])
            headers["Authorization"] = token["token"]
        response = app.get(
            tk.url_for("dinamis_relay.document_download", id=doc["id"]),
            headers=headers,
            follow_redirects=False,
        )
        if role in CAN_SEE:
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "application/pdf"
            disposition = response.headers["Content-Disposition"]
            assert f"filename={doc['file_name']}" in disposition.replace('"', "")
            assert doc["file_name"] == f"Acte-adhesion-{doc['number']}.pdf"
            assert hashlib.sha256(response.get_data()).hexdigest() == doc["sha256"]
        elif role == "anonymous":
            # Visitors are asked to log in first.
            assert response.status_code == 302
            assert "/user/login" in response.headers["Location"]
        else:
            assert response.status_code == 403

    def test_download_of_an_unknown_document(self, app, world):
        token = ckan_factories.APIToken(user=world["users"]["sysadmin"]["name"])
        response = app.get(
            tk.url_for("dinamis_relay.document_download", id="nope"),
            headers={"Authorization": token["token"]},
        )
        assert response.status_code == 404

    def test_show_needs_an_identifier(self, world):
        with pytest.raises(tk.ValidationError):
            call("show", world["users"]["sysadmin"])
        with pytest.raises(tk.ObjectNotFound):
            call("show", world["users"]["sysadmin"], id="nope")


# Logos and awkward input -------------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestLogoAndAwkwardInput:
    def _issue(self, **fields: Any) -> tuple[dict[str, Any], Document]:
        staff = factories.staff()
        org = fields.pop("organization", None) or ckan_factories.Organization()
        adhesion = factories.document_adhesion("accepted", "relay", organization=org, **fields)
        shown = call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="convention")
        return shown, model.Session.get(Document, shown["id"])

    @staticmethod
    def _images(data: bytes) -> int:
        """Images of the first page (the letterhead); resources are shared between pages."""
        return len(PdfReader(io.BytesIO(data)).pages[0].images)

    def test_uploaded_logo_is_printed(self):
        org = ckan_factories.Organization()
        upload_logo(org, png_bytes(), unique("logo") + ".png")
        _shown, doc = self._issue(organization=org)
        data = pdf_bytes(doc)
        assert self._images(data) == 1
        assert doc.content["logo_sha256"]
        save_first_page_png(data, "convention-with-logo")

    def test_the_documents_of_an_acceptance_decode_the_logo_once(self, monkeypatch, run_jobs):
        from ckanext.dinamis_relay.documents import logo

        org = ckan_factories.Organization()
        upload_logo(org, png_bytes((1200, 600), "#1f7a3a"), unique("logo") + ".png")
        decoded: list[int] = []
        sanitize = logo.sanitize

        def counting(data: bytes, max_size: int | None = None) -> bytes:
            decoded.append(len(data))
            return sanitize(data, max_size)

        monkeypatch.setattr(logo, "sanitize", counting)
        adhesion = factories.document_adhesion("accepted", "relay", organization=org)
        send_transition(adhesion, "accepted")
        run_jobs()  # one job issues the three documents
        docs = documents_of(adhesion.id)
        assert sorted(doc.kind for doc in docs) == ["acte_adhesion", "avenant", "convention"]
        assert all(self._images(pdf_bytes(doc)) == 1 for doc in docs)
        assert len({doc.content["logo_sha256"] for doc in docs}) == 1
        assert len(decoded) == 1

    def test_huge_logo_is_scaled_down(self):
        org = ckan_factories.Organization()
        upload_logo(org, png_bytes((5000, 2500)), unique("big") + ".png")
        _shown, doc = self._issue(organization=org)
        data = pdf_bytes(doc)
        assert self._images(data) == 1
        assert len(data) < 300_000

    def test_logo_over_the_size_limit_is_left_out(self, ckan_config, monkeypatch, logo_log):
        monkeypatch.setitem(ckan_config, "ckanext.dinamis_relay.documents.max_logo_size", 1000)
        org = ckan_factories.Organization()
        noisy = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
        out = io.BytesIO()
        noisy.save(out, "PNG")
        upload_logo(org, out.getvalue(), unique("noisy") + ".png")
        _shown, doc = self._issue(organization=org)
        assert self._images(pdf_bytes(doc)) == 0
        assert doc.content["logo_sha256"] is None
        assert "too large" in logo_log.text

    def test_decompression_bomb_is_left_out(self, logo_log):
        org = ckan_factories.Organization()
        out = io.BytesIO()
        Image.new("1", (30000, 30000)).save(out, "PNG")  # tiny file, 900 megapixels
        upload_logo(org, out.getvalue(), unique("bomb") + ".png")
        _shown, doc = self._issue(organization=org)
        assert self._images(pdf_bytes(doc)) == 0
        assert "too many pixels" in logo_log.text or "cannot be read" in logo_log.text

    def test_svg_logo_is_left_out(self, logo_log):
        org = ckan_factories.Organization()
        svg = (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://127.0.0.1:9/x.png"/>'
            b"</svg>"
        )
        upload_logo(org, svg, unique("logo") + ".svg")
        _shown, doc = self._issue(organization=org)
        assert self._images(pdf_bytes(doc)) == 0
        assert "SVG logos are not printed" in logo_log.text

    def test_logo_given_as_a_link_is_not_fetched(self):
        org = ckan_factories.Organization(image_url="http://127.0.0.1:9/logo.png")
        _shown, doc = self._issue(organization=org)
        assert self._images(pdf_bytes(doc)) == 0

    def test_300_character_name_renders_cleanly(self):
        name = ("Syndicat intercommunal à vocation multiple " * 8)[:300].strip()
        long_word = "Anticonstitutionnellement" * 12  # one 300-character word
        _shown, doc = self._issue(legal_name=name, acronym=long_word)
        data = pdf_bytes(doc)
        text = pdf_text(data).replace(" ", "")
        assert name.replace(" ", "") in text
        assert long_word in text
        # Nothing falls off the page: every glyph stays inside the A4 width.
        for page in PdfReader(io.BytesIO(data)).pages:
            assert float(page.mediabox.width) < 600
        save_first_page_png(data, "convention-long-name")

    def test_non_latin_names(self):
        names = {
            "legal_name": "Муниципалитет Ελληνικά بلدية",
            "legal_rep_name": "Ђорђе Παπαδόπουλος",
            "city": "Saint-Étienne-de-Baïgorry",
        }
        _shown, doc = self._issue(**names)
        text = pdf_text(pdf_bytes(doc))
        for value in (
            "Муниципалитет",
            "Ελληνικά",
            "Ђорђе Παπαδόπουλος",
            "Saint-Étienne-de-Baïgorry",
        ):
            assert value in text, value


# CLI ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestCli:
    def test_regenerate_and_verify(self, cli, tmp_path):
        from ckan.cli.cli import ckan

        staff = factories.staff()
        adhesion = factories.document_adhesion("accepted", "relay")
        first = call("generate", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")

        result = cli.invoke(
            ckan, ["dinamis-relay", "documents", "regenerate", "--adhesion", adhesion.id]
        )
        assert result.exit_code == 0, result.output
        assert "1 documents regenerated" in result.output
        current = call("show", staff.sysadmin, adhesion_id=adhesion.id, kind="acte_adhesion")
        assert current["version"] == 2

        old_file = tmp_path / "old.pdf"
        old_file.write_bytes(pdf_bytes(first))
        result = cli.invoke(ckan, ["dinamis-relay", "documents", "verify", str(old_file)])
        assert result.exit_code == 0, result.output
        assert "VALID" in result.output and "superseded by version 2" in result.output

        forged = tmp_path / "forged.pdf"
        forged.write_bytes(pdf_bytes(first) + b"\n%tampered")
        result = cli.invoke(ckan, ["dinamis-relay", "documents", "verify", str(forged)])
        assert result.exit_code == 1
        assert "NOT VALID" in result.output

    def test_regenerate_issues_missing_documents(self, cli):
        from ckan.cli.cli import ckan

        adhesion = factories.document_adhesion("accepted", "relay")
        result = cli.invoke(
            ckan, ["dinamis-relay", "documents", "regenerate", "--adhesion", adhesion.id]
        )
        assert result.exit_code == 0, result.output
        assert sorted(d.kind for d in documents_of(adhesion.id)) == [
            "acte_adhesion",
            "avenant",
            "convention",
        ]

        result = cli.invoke(ckan, ["dinamis-relay", "documents", "regenerate", "--all"])
        assert result.exit_code == 0, result.output
        assert "3 documents regenerated" in result.output

    def test_regenerate_needs_a_target(self, cli):
        from ckan.cli.cli import ckan

        result = cli.invoke(ckan, ["dinamis-relay", "documents", "regenerate"])
        assert result.exit_code != 0
        assert "--adhesion ID or --all" in result.output
