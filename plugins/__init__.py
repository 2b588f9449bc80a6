"""Built-in brag plugins: importers and exporters, one module each."""
