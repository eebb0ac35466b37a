"""Media: club logos and ride routes, uploaded, validated, published and read back."""
