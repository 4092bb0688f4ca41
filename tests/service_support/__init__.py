"""Support for the service tests: a small HTTP server with posts, a test crawl process."""
