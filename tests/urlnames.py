"""Every named URL of the site, read from the resolver, for tests that must know them all."""

from django.urls import URLPattern, URLResolver, get_resolver


def url_names() -> set[str]:
    """Each named URL pattern as ``namespace:name`` (or ``name`` outside a namespace)."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns, ""))
