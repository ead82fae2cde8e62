"""The network guard: address rules, host spellings, and the guarded connection path."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator

import httpcore
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mustreads.errors import BlockedAddressError, ConfigError, FetchError
from mustreads.ingest.netguard import (
    GuardedNetworkBackend,
    GuardedTransport,
    NetworkGuard,
    Resolver,
    parse_ip_literal,
)
from tests.ingest.httpservers import LocalServer, serve


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve("127.0.0.1") as local:
        local.routes["/"] = lambda h: h.reply(200, b"ok")
        yield local


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("[fe80::1%25eth0]", "fe80::1"),
        ("017700000001", "127.0.0.1"),
        ("0x", "0.0.0.0"),  # browsers read a bare 0x as 0
    ],
)
def test_ip_literals_are_read_in_every_spelling(spelling: str, address: str) -> None:
    assert parse_ip_literal(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "name",
    ["example.com", "localhost", "1.2.3.4.5", "256.1.1.1", "08.0.0.1", "1.2.3.x", "1..2", ""],
)
def test_names_and_impossible_numbers_are_not_ip_literals(name: str) -> None:
    assert parse_ip_literal(name) is None


@given(st.text(alphabet="0123456789abcdefxX.", min_size=1, max_size=16))
def test_every_number_the_system_resolver_reads_is_read_alike(host: str) -> None:
    """Whatever inet_aton (which getaddrinfo uses) takes for an IPv4 address, so do we."""
    try:
        system = ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return
    assert parse_ip_literal(host) == system


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "shared address space"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique local"),
        ("fd12:3456::1", "unique local"),
        ("fec0::1", "site-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("198.18.0.1", "private"),
        ("::ffff:127.0.0.1", "loopback, IPv4-mapped"),
        ("::ffff:169.254.169.254", "link-local, IPv4-mapped"),
        ("64:ff9b::a00:1", "private, NAT64"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("2002:7f00:1::1", "loopback, 6to4"),
        ("2002:a9fe:a9fe::1", "link-local, 6to4"),
        ("::7f00:1", "IPv4-compatible"),
        ("2001:db8::1", "private"),
    ],
)
def test_internal_addresses_are_refused_with_a_reason(address: str, reason: str) -> None:
    assert NetworkGuard().refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
     "2002:808:808::1"],
)  # fmt: skip
def test_public_addresses_pass(address: str) -> None:
    assert NetworkGuard().refusal(ipaddress.ip_address(address)) is None


def test_allowed_networks_let_exactly_their_range_through() -> None:
    guard = NetworkGuard(["127.0.0.2/32", "fd00::/8"])
    assert guard.refusal(ipaddress.ip_address("127.0.0.2")) is None
    assert guard.refusal(ipaddress.ip_address("::ffff:127.0.0.2")) is None
    assert guard.refusal(ipaddress.ip_address("fd00::5")) is None
    assert guard.refusal(ipaddress.ip_address("127.0.0.1")) == "loopback"
    assert guard.refusal(ipaddress.ip_address("fc00::1")) == "unique local"


def test_a_disabled_guard_lets_everything_through() -> None:
    guard = NetworkGuard(enabled=False)
    assert guard.refusal(ipaddress.ip_address("127.0.0.1")) is None
    guard.check_host("localhost")


def test_bad_allowed_network_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a CIDR"):
        NetworkGuard(["127.0.0.0/33"])


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST.",
        "localhost..",
        "app.localhost",
        "[::1]",
        "0x7f.1",
        "169.254.169.254",
    ],
)
def test_check_host_refuses_loopback_names_and_internal_literals(host: str) -> None:
    with pytest.raises(BlockedAddressError, match=r"^refused to connect to "):
        NetworkGuard().check_host(host)


def test_check_host_leaves_names_to_the_connection_path() -> None:
    NetworkGuard().check_host("example.com")
    NetworkGuard().check_host("8.8.8.8")


def test_localhost_passes_when_loopback_is_allowed() -> None:
    NetworkGuard(["127.0.0.0/8"]).check_host("localhost")


def test_vet_keeps_only_acceptable_addresses() -> None:
    guard = NetworkGuard(["127.0.0.2/32"])
    assert guard.vet("mixed.test", ["10.0.0.1", "127.0.0.2", "127.0.0.2"]) == ["127.0.0.2"]
    with pytest.raises(BlockedAddressError) as caught:
        guard.vet("rebound.test", ["169.254.169.254", "::1"])
    assert caught.value.message == (
        "refused to connect to rebound.test: 169.254.169.254 (link-local)"
    )


# -- the connection path ------------------------------------------------------------


def _fixed_resolver(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


def test_backend_checks_what_a_name_resolves_to(server: LocalServer) -> None:
    backend = GuardedNetworkBackend(NetworkGuard())

    async def connect() -> None:
        await backend.connect_tcp("localhost", server.port, timeout=2)

    with pytest.raises(BlockedAddressError, match=r"localhost: (127\.0\.0\.1|::1) \(loopback\)"):
        asyncio.run(connect())
    assert backend.connect_attempts == 0
    assert server.connections == 0


def test_backend_dials_only_vetted_addresses(server: LocalServer) -> None:
    """A name that resolves to internal and allowed addresses (as after DNS rebinding)."""
    backend = GuardedNetworkBackend(
        NetworkGuard(["127.0.0.1/32"]), resolver=_fixed_resolver("10.0.0.1", "127.0.0.1")
    )

    async def connect() -> object:
        stream = await backend.connect_tcp("rebinding.test", server.port, timeout=2)
        try:
            return stream.get_extra_info("server_addr")
        finally:
            await stream.aclose()

    assert asyncio.run(connect()) == ("127.0.0.1", server.port)
    assert backend.connect_attempts == 1


def test_backend_tries_the_next_address_when_one_fails(server: LocalServer) -> None:
    # The server listens on 127.0.0.1 only: dialling 127.0.0.3 on its port is refused.
    backend = GuardedNetworkBackend(
        NetworkGuard(["127.0.0.0/8"]), resolver=_fixed_resolver("127.0.0.3", "127.0.0.1")
    )

    async def connect() -> object:
        stream = await backend.connect_tcp("two.test", server.port, timeout=2)
        try:
            return stream.get_extra_info("server_addr")
        finally:
            await stream.aclose()

    assert asyncio.run(connect()) == ("127.0.0.1", server.port)
    assert backend.connect_attempts == 2


def test_unknown_names_fail_without_retry() -> None:
    async def no_such_name(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    backend = GuardedNetworkBackend(NetworkGuard(), resolver=no_such_name)
    with pytest.raises(FetchError, match=r"cannot resolve nowhere\.test") as caught:
        asyncio.run(backend.connect_tcp("nowhere.test", 80, timeout=1))
    assert not caught.value.retryable


def test_names_the_resolver_cannot_encode_are_a_fetch_error() -> None:
    backend = GuardedNetworkBackend(NetworkGuard())
    with pytest.raises(FetchError, match="not a valid host name"):
        asyncio.run(backend.connect_tcp("bad..name", 80, timeout=1))


def test_transport_sends_connections_through_the_guard(server: LocalServer) -> None:
    """GuardedTransport replaces a private attribute of httpx: prove it takes effect."""

    async def through(guard: NetworkGuard) -> tuple[int, int]:
        backend = GuardedNetworkBackend(guard)
        transport = GuardedTransport(backend, limits=httpx.Limits(max_connections=4))
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            response = await client.get(f"http://localhost:{server.port}/")
            return response.status_code, backend.connect_attempts

    assert asyncio.run(through(NetworkGuard(["127.0.0.1/32"]))) == (200, 1)
    with pytest.raises(BlockedAddressError):
        asyncio.run(through(NetworkGuard()))
    assert server.connections == 1


def test_unix_sockets_are_refused() -> None:
    backend = GuardedNetworkBackend(NetworkGuard())
    with pytest.raises(FetchError):
        asyncio.run(backend.connect_unix_socket("/run/docker.sock"))


def test_connect_timeout_covers_name_resolution() -> None:
    async def slow(host: str, port: int) -> list[str]:
        await asyncio.sleep(5)
        return []

    backend = GuardedNetworkBackend(NetworkGuard(), resolver=slow)
    with pytest.raises(httpcore.ConnectTimeout):
        asyncio.run(backend.connect_tcp("slow.test", 80, timeout=0.1))
