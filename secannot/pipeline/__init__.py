"""Jobs that join the parts: inputs -> models -> knowledge -> writers, plus check and evaluate."""
