"""Reading and changing the office-wide settings (operations layer)."""

from __future__ import annotations

from dataclasses import asdict

from disdukcapil_desk.db.repositories import office as repo
from disdukcapil_desk.domain.dto import Actor
from disdukcapil_desk.domain.errors import DeskError, NotFound
from disdukcapil_desk.domain.office import (
    SETTING_KEYS,
    OfficeSettings,
    separation_key,
    separation_of_duties,
    settings_from,
)
from disdukcapil_desk.domain.workflow import Permission, require
from disdukcapil_desk.operations.audit import record
from disdukcapil_desk.operations.context import DeskContext


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
            key = separation_key(service_code)
            repo.put_setting(session, key, "1" if on else "0", by=actor.login, at=self._ctx.clock())
            record(
                self._ctx,
                session,
                actor,
                "separation_of_duties",
                "service",
                service_code,
                before={"on": current},
                after={"on": on},
            )
        return True
