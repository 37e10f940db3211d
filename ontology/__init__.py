"""The kg ontology and SHACL shapes (Turtle files), shipped as package data."""
