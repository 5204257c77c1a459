"""Where a position enters: validation and the one door `accept_fixes`, privacy at the door, tracker protocols."""
