"""What the verifier says: the titles of its numbered steps, each step's result, and the report a
clerk reads (text) or a program reads (JSON). A step that did not run is a failed step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from vc_service.audit import AuditError

STEPS = (
    "trust material from the policy only",
    "strict parsing of the bundle",
    "checkpoint origin and trusted key",
    "checkpoint signatures",
    "cosignatures and quorum",
    "independent time (RFC 3161)",
    "size and root from the verified checkpoint",
    "every event canonical, in place and hashed",
    "tree root and inclusion proofs",
    "consistency of interim checkpoints",
    "bindings of files and the closing event",
)


class VerifyError(AuditError):
    code = "audit.verify.failed"

    def __init__(self, message: str, code: str = "audit.verify.failed") -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class StepResult:
    number: int
    title: str
    passed: bool
    detail: str
    code: str | None = None


@dataclass
class VerificationReport:
    bundle: str
    steps: list[StepResult] = field(default_factory=list)
    origin: str | None = None
    size: int | None = None
    root: bytes | None = None
    # The checklist's titles: the bundle's (`log verify`) or the court's (`court.py`).
    titles: tuple[str, ...] = field(default=STEPS, repr=False)

    @property
    def ok(self) -> bool:
        return len(self.steps) == len(self.titles) and all(step.passed for step in self.steps)

    def run(self, runs: Sequence[Callable[[], str]]) -> int | None:
        """Run the steps in order (one per title of `titles`), recording each; returns the number
        of the step that failed, None when all passed. (12) Once a step fails the rest are
        recorded as failed ("not run"), and a verifier bug fails its step: nothing passes by
        default (cosign's "immediate success" on an invalid entry did)."""
        failed: int | None = None
        for number, (title, run) in enumerate(zip(self.titles, runs, strict=True), 1):
            if failed is not None:
                detail = f"not run: step {failed} failed"
                self.steps.append(StepResult(number, title, False, detail))
                continue
            try:
                self.steps.append(StepResult(number, title, True, run()))
            except AuditError as exc:
                failed = number
                self.steps.append(StepResult(number, title, False, exc.message, exc.code))
            except Exception as exc:  # a verifier bug must fail closed, never pass
                failed = number
                detail = f"internal error {type(exc).__name__}: {exc}"
                self.steps.append(StepResult(number, title, False, detail, "audit.verify.internal"))
        return failed

    def render(self) -> str:
        lines = [f"bundle: {self.bundle}"]
        for step in self.steps:
            code = f" [{step.code}]" if step.code else ""
            mark = "PASS" if step.passed else "FAIL"
            lines.append(f"{mark} {step.number:>2}. {step.title}: {step.detail}{code}")
        lines.append("result: " + ("VERIFIED" if self.ok else "NOT VERIFIED"))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        root_hex = self.root.hex() if self.root else None
        steps = [asdict(step) for step in self.steps]
        return {"bundle": self.bundle, "ok": self.ok, "origin": self.origin, "size": self.size,
                "root": root_hex, "steps": steps}  # fmt: skip
