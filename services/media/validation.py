"""Why an upload is refused: a stable code for clients, and a sentence for people."""


class UploadRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
