"""What is live now: the fleet board behind the live map, and the wall display's data."""
