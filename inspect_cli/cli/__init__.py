"""The command line: thin click commands over the core. The only package importing click or rich."""
