"""Built-in Jinja2 templates for brag's exporters (a package so both wheel and
editable installs can load them with importlib.resources)."""
