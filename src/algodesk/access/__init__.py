"""Who may use the platform, and the broker session it uses.

users (argon2 passwords, optional TOTP), web sessions and CSRF, login and API-key rate
limits, the platform API key, the secret box (DATA_DIR/secret.key), and the broker
connection (ICICI's daily login, encrypted session token, expiry, call count).
"""
