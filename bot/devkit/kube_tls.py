"""TLS for the emulator's https listener: kubectl sends bearer tokens only over TLS.

client-go (and so kubectl) drops every user credential from a kubeconfig whose server is plain
``http://`` (kubernetes/kubectl#744), so a token check can only be exercised by kubectl over https.

Like Go's ``net/http/internal/testcert``, the certificates are fixed and embedded: a private CA and a
leaf for 127.0.0.1, ::1 and localhost, valid 2000-2125, EC P-256. The key protects nothing but a
loopback test server; never use it for anything else. To regenerate: make a P-256 CA with
``basicConstraints=critical,CA:TRUE`` and a leaf with ``CA:FALSE``, ``extendedKeyUsage=serverAuth``,
``subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost`` and authority/subject key identifiers (Python
3.13's strict verification wants them), both signed with ``openssl ca -startdate 20000101000000Z``
so that a skewed clock never sees them "not yet valid".
"""

from __future__ import annotations

import base64
import os
import ssl
import tempfile

CA_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBazCCARCgAwIBAgICEAAwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQcG9kaXVt
LWRldmtpdC1jYTAgFw0wMDAxMDEwMDAwMDBaGA8yMTI1MDEwMTAwMDAwMFowGzEZ
MBcGA1UEAwwQcG9kaXVtLWRldmtpdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABI62lOV+F7mNNVZ6h4AABSm534/Elh/9vRaeFuE2YG4ueht+p5l5AqPAdadL
vw9OstoAwEGppCrPKdrdtOU8iHCjQjBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P
AQH/BAQDAgEGMB0GA1UdDgQWBBQGByBTd3RRaR2+yCt2zqWP9HE7LjAKBggqhkjO
PQQDAgNJADBGAiEA/FWfci6CiNmH6tHiQfATQHrRWnZ2ztd6xuIRK1CKrqICIQC5
0a0/HfjIZaRpHQukB51MlTtUxLG+5dPywWVsH+8OIQ==
-----END CERTIFICATE-----
"""

SERVER_CERT_PEM = """\
-----BEGIN CERTIFICATE-----
MIIB1DCCAXqgAwIBAgICEAEwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQcG9kaXVt
LWRldmtpdC1jYTAgFw0wMDAxMDEwMDAwMDBaGA8yMTI1MDEwMTAwMDAwMFowIjEg
MB4GA1UEAwwXcG9kaXVtLWRldmtpdC1hcGlzZXJ2ZXIwWTATBgcqhkjOPQIBBggq
hkjOPQMBBwNCAATzU6yPIi1UgiuuSVU9onfXl/IKP5JH6V+uETYHYqJOx3tyPb6Z
Cbp/a2GKPCapdUOA7HZo17b4ByZRpTFOJvj4o4GkMIGhMAwGA1UdEwEB/wQCMAAw
DgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMCwGA1UdEQQlMCOH
BH8AAAGHEAAAAAAAAAAAAAAAAAAAAAGCCWxvY2FsaG9zdDAdBgNVHQ4EFgQU/Kf+
OKbkVpTtCm9542Sx6icnsEkwHwYDVR0jBBgwFoAUBgcgU3d0UWkdvsgrds6lj/Rx
Oy4wCgYIKoZIzj0EAwIDSAAwRQIgJt034lcAUAj8xYrzkx7QV5yTH5Rwf+zttIRp
XYbLhLgCIQDC3PIFXE7BFSlOiPF3FqN0VCZQ77ZJvEbc7lgK+gAzpw==
-----END CERTIFICATE-----
"""

SERVER_KEY_PEM = """\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjgeZf704+dbrocdZ
MkM7z50HjQMU9aaVoYdrqw55prWhRANCAATzU6yPIi1UgiuuSVU9onfXl/IKP5JH
6V+uETYHYqJOx3tyPb6ZCbp/a2GKPCapdUOA7HZo17b4ByZRpTFOJvj4
-----END PRIVATE KEY-----
"""


def ca_data() -> str:
    """The CA as kubeconfig's ``certificate-authority-data`` (base64 of the PEM)."""
    return base64.b64encode(CA_PEM.encode()).decode()


def server_ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # load_cert_chain only reads files; keep them just long enough to load.
    with tempfile.TemporaryDirectory(prefix="podium-kube-tls-") as directory:
        cert_path = os.path.join(directory, "tls.crt")
        key_path = os.path.join(directory, "tls.key")
        with open(cert_path, "w", encoding="ascii") as handle:
            handle.write(SERVER_CERT_PEM + CA_PEM)
        with open(os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="ascii") as handle:
            handle.write(SERVER_KEY_PEM)
        context.load_cert_chain(cert_path, key_path)
    return context
