"""Reading what staff write: files into positioned documents (loader), and the field rules
of each content kind (schema)."""
