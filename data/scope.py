"""What a viewer may see, passed into every data read so the SQL itself filters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """team_ids None means every team; employee_id set means one person's own data only."""

    team_ids: frozenset[int] | None = None
    employee_id: int | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @property
    def all_teams(self) -> bool:
        return self.team_ids is None and self.employee_id is None

    def team_filter(self) -> list[int] | None:
        """For `team_id = ANY(%s)`: None when unrestricted."""
        return None if self.team_ids is None else sorted(self.team_ids)

    def narrowed_to_team(self, team_id: int | None) -> Scope:
        """The viewer's scope, narrowed further by a team filter chosen on a page."""
        if team_id is None:
            return self
        allowed = {team_id} if self.team_ids is None else self.team_ids & {team_id}
        return Scope(frozenset(allowed), self.employee_id)
