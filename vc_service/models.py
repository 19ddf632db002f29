"""Imports every model module so `Base.metadata` is complete (migrations, schema checks)."""

from vc_service.accounts import models as accounts_models
from vc_service.audit import models as audit_models
from vc_service.db import Base
from vc_service.hearings import models as hearings_models

metadata = Base.metadata

__all__ = ["accounts_models", "audit_models", "hearings_models", "metadata"]
