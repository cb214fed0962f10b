"""The submodels of ODD section 7, one module each, called in order by ``CooperationModel.step``."""
