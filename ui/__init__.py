"""The web server: Gradio chat UI and REST API."""
