"""The local platform: moto as AWS, a gateway that behaves like API Gateway, real handlers."""
