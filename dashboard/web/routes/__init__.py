"""Plain HTTP routes beside the Dash pages: the phone's, surveys, report files, my data, CSV exports."""
