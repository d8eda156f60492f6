"""The Amazon States Language: parse JSON/YAML into a typed model, validate like AWS."""
