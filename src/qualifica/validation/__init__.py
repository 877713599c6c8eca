"""SHACL validation: the gate every write passes, and readable reports."""
