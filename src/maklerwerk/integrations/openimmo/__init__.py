"""OpenImmo 1.2.7c: the writer of portal packages (writer.py) and the shared field mapping (mapping.py)."""
