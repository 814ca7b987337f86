"""Supporting documents of an application: who sees, adds and removes them, in which
states, what bad files get, the journal, and the pages (upload through the form, download)."""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import struct
import zlib
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from werkzeug.datastructures import FileStorage

from ckanext.dinamis_relay.documents import supporting
from ckanext.dinamis_relay.model import AuditEvent, SupportingDocument

from .. import factories as f
from ..compat import login_as

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"0" * 2000


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes = PDF, name: str = "deliberation.pdf", mimetype: str = "application/pdf"):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)


def call(action: str, user: dict[str, Any] | None, **data: Any) -> Any:
    return tk.get_action(f"dinamis_relay_supporting_document_{action}")(f.context(user), data)


def stored_files() -> set[str]:
    folder = os.path.join(
        tk.config["ckan.storage_path"], "storage", "uploads", supporting.UPLOAD_TO
    )
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def rows() -> list[tuple]:
    model.Session.rollback()
    model.Session.expire_all()
    documents = model.Session.query(SupportingDocument).all()
    events = model.Session.query(AuditEvent).filter(AuditEvent.action.like("supporting_document_%"))
    return [(d.id, d.name) for d in documents] + [(e.id, e.action) for e in events]


@pytest.fixture()
def people():
    """Every role around one classic-mode and one relay-mode application."""
    staff = f.staff()
    admin = factories.User(fullname="Alice Admin")
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    return {
        "staff": staff,
        "org_admin": admin,
        "organization": org,
        "user": factories.User(),
    }


def _roles(people: dict[str, Any], adhesion: dict[str, Any]) -> dict[str, Any]:
    staff = people["staff"]
    return {
        "sysadmin": staff.sysadmin,
        "instructor": staff.instructor,
        "super_referent": staff.super_referent,
        "referent": adhesion["referent_dict"],
        "org_admin": people["org_admin"],
        "user": people["user"],
        "anonymous": None,
    }


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestWhoMay:
    # Classic mode: its editors are the referent, the organization's admins and sysadmins.
    CLASSIC_ADD = {
        "sysadmin": True,
        "referent": True,
        "org_admin": True,
        "instructor": False,
        "super_referent": False,
        "user": False,
        "anonymous": False,
    }
    # Relay mode: the super-referents fill it in.
    RELAY_ADD = {**CLASSIC_ADD, "super_referent": True, "referent": False, "org_admin": False}

    @pytest.mark.parametrize("mode", ["classic", "relay"])
    def test_add_and_delete_by_role(self, people, mode):
        adhesion = f.adhesion("returned", mode=mode, organization=people["organization"])
        expected = self.CLASSIC_ADD if mode == "classic" else self.RELAY_ADD
        for role, user in _roles(people, adhesion).items():
            before = rows()
            files = stored_files()
            if expected[role]:
                added = call("create", user, adhesion_id=adhesion["id"], upload=upload())
                assert added["name"] == "deliberation.pdf", role
                assert len(stored_files()) == len(files) + 1
                call("delete", user, id=added["id"])
                assert stored_files() == files, role
            else:
                with pytest.raises(tk.NotAuthorized):
                    call("create", user, adhesion_id=adhesion["id"], upload=upload())
                assert rows() == before, role
                assert stored_files() == files, role

    def test_others_may_not_delete(self, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        added = call(
            "create", adhesion["referent_dict"], adhesion_id=adhesion["id"], upload=upload()
        )
        for role, user in _roles(people, adhesion).items():
            if self.CLASSIC_ADD[role]:
                continue
            with pytest.raises(tk.NotAuthorized):
                call("delete", user, id=added["id"])
        assert call("show", adhesion["referent_dict"], id=added["id"])["id"] == added["id"]

    @pytest.mark.parametrize(
        ("mode", "state", "sees"),
        [
            (
                "classic",
                "returned",
                {"sysadmin", "instructor", "referent", "org_admin"},
            ),
            # Instructors see an application from its submission on.
            ("classic", "draft", {"sysadmin", "referent", "org_admin"}),
            (
                "relay",
                "pending_instruction",
                {"sysadmin", "instructor", "super_referent", "referent", "org_admin"},
            ),
        ],
    )
    def test_who_sees_them(self, people, mode, state, sees):
        adhesion = f.adhesion("draft", mode=mode, organization=people["organization"])
        added = call(
            "create", people["staff"].sysadmin, adhesion_id=adhesion["id"], upload=upload()
        )
        _move(adhesion, state)
        for role, user in _roles(people, adhesion).items():
            if role in sees:
                listed = call("list", user, adhesion_id=adhesion["id"])
                assert [d["id"] for d in listed["results"]] == [added["id"]], role
                assert call("show", user, id=added["id"])["name"] == "deliberation.pdf"
                assert "storage_name" not in listed["results"][0]
            else:
                with pytest.raises(tk.NotAuthorized):
                    call("list", user, adhesion_id=adhesion["id"])
                with pytest.raises(tk.NotAuthorized):
                    call("show", user, id=added["id"])


def _move(adhesion: dict[str, Any], state: str) -> None:
    """Take a draft made by f.adhesion on to `state` through the actions."""
    sysadmin = factories.Sysadmin()
    if state == "draft":
        return
    if adhesion["mode"] == "relay":
        f.call("check_eligibility", sysadmin, id=adhesion["id"], eligible=True)
    f.call("submit", sysadmin, id=adhesion["id"])
    f.call("legal_validate", None, token=f.legal_token(adhesion["id"]), decision="accept")
    if state == "returned":
        f.call("decide", sysadmin, id=adhesion["id"], decision="return", reason="Délibération ?")


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestWhen:
    def test_answers_a_return_and_the_instructor_sees_it(self, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        _move(adhesion, "returned")
        referent = adhesion["referent_dict"]
        added = call(
            "create", referent, adhesion_id=adhesion["id"], kind="deliberation", upload=upload()
        )
        assert added["kind"] == "deliberation"
        assert added["size"] == len(PDF)
        assert added["sha256"] == hashlib.sha256(PDF).hexdigest()
        assert added["uploaded_by"] == referent["id"]
        listed = call("list", people["staff"].instructor, adhesion_id=adhesion["id"])
        assert listed["count"] == 1 and listed["editable"] is False
        assert call("list", referent, adhesion_id=adhesion["id"])["editable"] is True
        history = f.call("history", people["staff"].instructor, id=adhesion["id"])["results"]
        event = next(e for e in history if e["action"] == "supporting_document_add")
        assert event["comment"] == "deliberation.pdf"
        assert event["user_id"] == referent["id"]

    @pytest.mark.parametrize("state", ["pending_legal_validation", "pending_instruction"])
    def test_not_once_submitted(self, people, state):
        adhesion = f.adhesion("draft", organization=people["organization"])
        added = call(
            "create", adhesion["referent_dict"], adhesion_id=adhesion["id"], upload=upload()
        )
        sysadmin = people["staff"].sysadmin
        f.call("submit", sysadmin, id=adhesion["id"])
        if state == "pending_instruction":
            f.call("legal_validate", None, token=f.legal_token(adhesion["id"]), decision="accept")
        before, files = rows(), stored_files()
        for action, data in (
            ("create", {"adhesion_id": adhesion["id"], "upload": upload()}),
            ("delete", {"id": added["id"]}),
        ):
            with pytest.raises(tk.ValidationError) as error:
                call(action, adhesion["referent_dict"], **data)
            assert "state" in error.value.error_dict
        assert rows() == before and stored_files() == files

    def test_delete_is_journaled_and_removes_the_file(self, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        referent = adhesion["referent_dict"]
        files = stored_files()
        added = call("create", referent, adhesion_id=adhesion["id"], upload=upload())
        call("delete", referent, id=added["id"])
        assert stored_files() == files
        assert call("list", referent, adhesion_id=adhesion["id"])["count"] == 0
        actions = [e["action"] for e in f.call("history", referent, id=adhesion["id"])["results"]]
        assert {"supporting_document_add", "supporting_document_delete"} <= set(actions)
        with pytest.raises(tk.ObjectNotFound):
            call("show", people["staff"].sysadmin, id=added["id"])


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestBadInput:
    @pytest.mark.parametrize(
        ("file", "message"),
        [
            (lambda: upload(b"just some words\n" * 20, "deliberation.pdf"), "not accepted"),
            (lambda: upload(b"MZ\x90\x00" + b"\x00" * 300, "setup.exe"), "not accepted"),
            (lambda: upload(png(), "deliberation.pdf"), "ends in"),
            (lambda: upload(b"", "empty.pdf"), "empty"),
            (lambda: upload(PDF, ""), "Choose the file"),
            (lambda: "not a file", "Choose the file"),
            (lambda: None, "Choose the file"),
        ],
    )
    def test_refused_naming_the_field_nothing_stored(self, people, file, message):
        adhesion = f.adhesion("draft", organization=people["organization"])
        before, files = rows(), stored_files()
        data: dict[str, Any] = {"adhesion_id": adhesion["id"]}
        value = file()
        if value is not None:
            data["upload"] = value
        with pytest.raises(tk.ValidationError) as error:
            call("create", adhesion["referent_dict"], **data)
        assert message in " ".join(error.value.error_dict["upload"])
        assert rows() == before and stored_files() == files

    @pytest.mark.ckan_config("ckanext.dinamis_relay.supporting_documents.max_size_mb", "1")
    def test_too_large(self, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        before, files = rows(), stored_files()
        with pytest.raises(tk.ValidationError) as error:
            call(
                "create",
                adhesion["referent_dict"],
                adhesion_id=adhesion["id"],
                upload=upload(PDF + b"0" * (1 << 20)),
            )
        assert "at most 1 MB" in error.value.error_dict["upload"][0]
        assert rows() == before and stored_files() == files

    @pytest.mark.ckan_config("ckanext.dinamis_relay.supporting_documents.max_per_adhesion", "1")
    def test_at_most_so_many(self, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        referent = adhesion["referent_dict"]
        call("create", referent, adhesion_id=adhesion["id"], upload=upload())
        with pytest.raises(tk.ValidationError) as error:
            call("create", referent, adhesion_id=adhesion["id"], upload=upload(png(), "a.png"))
        assert "upload" in error.value.error_dict

    def test_png_and_a_declared_octet_stream_are_accepted(self, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        added = call(
            "create",
            adhesion["referent_dict"],
            adhesion_id=adhesion["id"],
            upload=upload(png(), "Mandat signé.PNG", "application/octet-stream"),
        )
        assert (added["mimetype"], added["name"]) == ("image/png", "Mandat signé.PNG")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"adhesion_id": "nope", "kind": "bogus"}, "kind"),
            ({"kind": "other"}, "adhesion_id"),
        ],
    )
    def test_bad_fields(self, people, data, field):
        with pytest.raises(tk.ValidationError) as error:
            call("create", people["staff"].sysadmin, upload=upload(), **data)
        assert field in error.value.error_dict

    def test_unknown_ids(self, people):
        sysadmin = people["staff"].sysadmin
        with pytest.raises(tk.ObjectNotFound):
            call("create", sysadmin, adhesion_id="nope", upload=upload())
        for action in ("show", "delete"):
            with pytest.raises(tk.ObjectNotFound):
                call(action, sysadmin, id="nope")
        with pytest.raises(tk.ObjectNotFound):
            call("list", sysadmin, adhesion_id="nope")


_CSRF = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.site_url", "http://localhost")
class TestPages:
    def _post(self, app, url, data):
        match = _CSRF.search(app.get("/dinamis/").body)
        assert match is not None
        token = match.group(1)
        return app.post(url, data={**data, "_csrf_token": token}, follow_redirects=False)

    def test_upload_through_the_form_then_download(self, app, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        _move(adhesion, "returned")
        login_as(app, adhesion["referent_dict"])
        page = app.get(f"/fr/dinamis/adhesion/{adhesion['id']}")
        assert 'for="supporting-upload"' in page.body and "Pièces justificatives" in page.body
        response = self._post(
            app,
            f"/dinamis/adhesion/{adhesion['id']}/supporting-documents",
            {"kind": "deliberation", "upload": (io.BytesIO(PDF), "Délibération 2026.pdf")},
        )
        assert response.status_code == 302, response.body[:2000]
        page = app.get(f"/fr/dinamis/adhesion/{adhesion['id']}").body
        assert "Délibération 2026.pdf" in page
        assert "Pièce justificative ajoutée" in page
        (document,) = call("list", adhesion["referent_dict"], adhesion_id=adhesion["id"])["results"]
        assert document["download_url"] in page

        login_as(app, people["staff"].instructor)
        download = app.get(document["download_url"])
        assert download.status_code == 200
        assert download.data == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert "attachment" in download.headers["Content-Disposition"]
        assert 'for="supporting-upload"' not in app.get(f"/dinamis/adhesion/{adhesion['id']}").body

        login_as(app, people["user"])
        assert app.get(document["download_url"]).status_code == 403

    def test_a_refused_file_is_explained_in_french_with_the_field(self, app, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        login_as(app, adhesion["referent_dict"])
        files = stored_files()
        response = self._post(
            app,
            f"/fr/dinamis/adhesion/{adhesion['id']}/supporting-documents",
            {"kind": "mandate", "upload": (io.BytesIO(b"texte brut\n" * 10), "mandat.pdf")},
        )
        assert response.status_code == 400
        assert "Fichier" in response.body
        assert "Ce type de fichier n'est pas accepté" in html.unescape(response.body)
        assert 'aria-invalid="true"' in response.body
        assert stored_files() == files

    def test_a_missing_file_field_is_not_a_500(self, app, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        login_as(app, adhesion["referent_dict"])
        response = self._post(
            app, f"/fr/dinamis/adhesion/{adhesion['id']}/supporting-documents", {"kind": "other"}
        )
        assert response.status_code == 400
        assert "Choisissez le fichier à joindre" in response.body

    def test_remove_through_the_form(self, app, people):
        adhesion = f.adhesion("draft", organization=people["organization"])
        added = call(
            "create", adhesion["referent_dict"], adhesion_id=adhesion["id"], upload=upload()
        )
        login_as(app, adhesion["referent_dict"])
        response = self._post(app, f"/dinamis/supporting-document/{added['id']}/delete", {})
        assert response.status_code == 302
        assert call("list", adhesion["referent_dict"], adhesion_id=adhesion["id"])["count"] == 0
