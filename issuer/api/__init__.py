"""The JSON API for employers' systems (/api/v1) and its OpenAPI description."""
