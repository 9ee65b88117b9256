"""Who may use the platform, and the secrets it keeps.

users (argon2 passwords, optional TOTP), web sessions and CSRF, login and API-key rate
limits, the platform API key, the secret box (DATA_DIR/secret.key), and what the broker
login keeps between runs (the session token encrypted, the day's call count); the login
itself is the broker's (`brokers.icici.session`).
"""
