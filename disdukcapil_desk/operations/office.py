"""Reading and changing the office-wide settings (operations layer)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from disdukcapil_desk.db.repositories import office as repo
from disdukcapil_desk.domain.delivery import TteSource
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, NotFound
from disdukcapil_desk.domain.office import (
    SETTING_KEYS,
    OfficeSettings,
    separation_key,
    separation_of_duties,
    settings_from,
)
from disdukcapil_desk.domain.siak import (
    DESK_NUMBER_SERIES_KEY,
    desk_number_series,
    tte_source_key,
    tte_sources,
)
from disdukcapil_desk.domain.workflow import Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext


def put_audited(
    ctx: DeskContext,
    session: Session,
    actor: Actor,
    setting: tuple[str, str],
    *,
    action: str,
    entity: tuple[str, str],
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    """Store one office setting (``setting``: key, value) and audit it as ``action`` on
    ``entity`` (kind, key), in the caller's transaction, at the database's time.
    """
    key, value = setting
    repo.put_setting(session, key, value, by=actor.login, at=ctx.now(session))
    record(ctx, session, actor, action, *entity, before=before, after=after)


class OfficeOps:
    """The letterhead and signers every workstation prints."""

    def __init__(self, ctx: DeskContext) -> None:
        """Bind to the desk context."""
        self._ctx = ctx

    def get(self) -> OfficeSettings:
        """Return the settings (defaults where nothing is stored)."""
        with self._ctx.reading() as session:
            stored = repo.stored_settings(session)
        return settings_from(stored)

    def update(self, actor: Actor, changes: dict[str, str]) -> OfficeSettings:
        """Change some settings (administrators only); every change is audited.

        Raises:
            PermissionDenied: the actor is not an administrator.
            DeskError: an unknown key.
        """
        require(actor, Permission.MANAGE_OFFICE)
        unknown = sorted(set(changes) - set(SETTING_KEYS))
        if unknown:
            raise DeskError(f"Setelan tidak dikenal: {', '.join(unknown)}")
        current = asdict(self.get())
        with self._ctx.unit_of_work() as session:
            for key, value in changes.items():
                repo.put_setting(
                    session, key, value.strip(), by=actor.login, at=self._ctx.now(session)
                )
            record(
                self._ctx,
                session,
                actor,
                "office_settings",
                "office_setting",
                "office",
                before={k: current[k] for k in changes},
                after=dict(changes),
            )
        return self.get()

    def separation_of_duties(self) -> list[tuple[str, str, bool]]:
        """Per service, in catalogue order: (code, name, whether its approver may not issue it)."""
        with self._ctx.reading() as session:
            stored = repo.stored_settings(session)
        catalogue = self._ctx.reference.catalogue
        chosen = separation_of_duties(stored, catalogue)
        return [(code, catalogue.get(code).name, chosen[code]) for code in catalogue.codes]

    def set_separation_of_duties(self, actor: Actor, service_code: str, on: bool) -> bool:
        """Choose whether the officer who approved a request of a service may also issue it.

        Returns:
            Whether the setting changed.

        Raises:
            PermissionDenied: the actor is not an administrator.
            NotFound: no such service in the catalogue.
        """
        require(actor, Permission.MANAGE_OFFICE)
        catalogue = self._ctx.reference.catalogue
        if service_code not in catalogue.codes:
            raise NotFound(f"Layanan '{service_code}' tidak dikenal")
        with self._ctx.unit_of_work() as session:
            current = separation_of_duties(repo.stored_settings(session), catalogue)[service_code]
            if current == on:
                return False
            put_audited(
                self._ctx,
                session,
                actor,
                (separation_key(service_code), "1" if on else "0"),
                action="separation_of_duties",
                entity=("service", service_code),
                before={"on": current},
                after={"on": on},
            )
        return True

    # -- after approval: where the signed PDF comes from, and whose numbers --------------------

    def tte_sources(self) -> list[tuple[str, str, TteSource]]:
        """Per service that sends a document, in catalogue order: (code, name, TTE source)."""
        with self._ctx.reading() as session:
            stored = repo.stored_settings(session)
        catalogue = self._ctx.reference.catalogue
        codes = [c for c in catalogue.codes if catalogue.get(c).outputs.sends_document]
        chosen = tte_sources(stored, codes)
        return [(code, catalogue.get(code).name, chosen[code]) for code in codes]

    def set_tte_source(self, actor: Actor, service_code: str, source: TteSource | str) -> bool:
        """Choose where a service's signed PDF comes from: SIAK (attached) or the desk's own
        certificate signed with the office's certificate. Returns whether it changed.

        Raises:
            PermissionDenied: the actor is not an administrator.
            NotFound: no such service.
            DeskError: an unknown source, or a service that sends no document.
        """
        require(actor, Permission.MANAGE_OFFICE)
        catalogue = self._ctx.reference.catalogue
        if service_code not in catalogue.codes:
            raise NotFound(f"Layanan '{service_code}' tidak dikenal")
        try:
            chosen = TteSource(source)
        except ValueError:
            allowed = ", ".join(TteSource)
            raise DeskError(
                f"Sumber TTE harus salah satu dari {allowed}, bukan {source!r}"
            ) from None
        if not catalogue.get(service_code).outputs.sends_document:
            raise DeskError(f"Layanan {service_code} tidak mengirim dokumen (hanya kartu)")
        with self._ctx.unit_of_work() as session:
            current = tte_sources(repo.stored_settings(session), [service_code])[service_code]
            if current is chosen:
                return False
            put_audited(
                self._ctx,
                session,
                actor,
                (tte_source_key(service_code), chosen.value),
                action="tte_source",
                entity=("service", service_code),
                before={"source": current.value},
                after={"source": chosen.value},
            )
        return True

    def desk_number_series(self) -> bool:
        """Whether the office draws akta/SKPWNI numbers from the desk's own series (else the
        certificate carries the number recorded from SIAK).
        """
        with self._ctx.reading() as session:
            return desk_number_series(repo.stored_settings(session))

    def set_desk_number_series(self, actor: Actor, on: bool) -> bool:
        """Turn the desk's own number series on or off (administrators); returns whether it
        changed.

        Raises:
            PermissionDenied: the actor is not an administrator.
        """
        require(actor, Permission.MANAGE_OFFICE)
        with self._ctx.unit_of_work() as session:
            current = desk_number_series(repo.stored_settings(session))
            if current == on:
                return False
            put_audited(
                self._ctx,
                session,
                actor,
                (DESK_NUMBER_SERIES_KEY, "1" if on else "0"),
                action="desk_number_series",
                entity=("office_setting", DESK_NUMBER_SERIES_KEY),
                before={"on": current},
                after={"on": on},
            )
        return True
