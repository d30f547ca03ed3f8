"""Authoring tools for bureau staff: start a site, add stubs, bring projects in from Excel, figures."""
