"""Build, documentation and CI tools: the OpenAPI document and its breaking-change check,
the event docs, the API reference page, the fuzzing campaign. Not part of the emulator
(`local/`) nor of any function."""
