"""The set web app: the HTTP API (JSON, OpenAPI) and the server-rendered pages."""
