"""The websites: public pages and the staff application, server-rendered with Jinja2."""
