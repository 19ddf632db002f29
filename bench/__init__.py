"""Speed figures: each script measures our code and a baseline in the same run."""
