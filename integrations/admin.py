"""Admin of the ERP integration."""
