package io.wharf.management.api;

import io.wharf.management.http.ApiException;

import java.nio.charset.StandardCharsets;

/** The rules object names follow in every protocol: not empty, at most 255 UTF-8 bytes. */
final class Names {

    private Names() {
    }

    static void check(String kind, String name) {
        if (name.isEmpty()) {
            throw ApiException.badRequest("name", "a " + kind + " needs a name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw ApiException.badRequest("name", "a " + kind + " name is at most 255 bytes long");
        }
    }
}
