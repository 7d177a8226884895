"""The app's shared constants as one JSON object: `GET /api/v1/meta` and the pages' `#rm-meta`."""
