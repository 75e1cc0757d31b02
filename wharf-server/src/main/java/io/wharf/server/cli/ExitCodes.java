package io.wharf.server.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes of the client commands. Scripts depend on them: keep each number's meaning.
 */
final class ExitCodes {

    static final int OK = 0;
    /** The broker answered with an error not covered below, or it could not be reached. */
    static final int ERROR = 1;
    /** Bad options or arguments (picocli's own code for usage errors). */
    static final int USAGE = 2;
    /** 404: the vhost, queue, exchange, user or connection does not exist. */
    static final int NOT_FOUND = 3;
    /** 401 or 403: wrong credentials, or the user may not do this. */
    static final int NOT_AUTHORISED = 4;
    /** 409: the object exists with other properties, or is not empty or not unused. */
    static final int CONFLICT = 5;
    /** 400: the broker rejected the input (a name, an argument, a field). */
    static final int INVALID = 6;

    private ExitCodes() {
    }

    /** The exit code for an HTTP status the API answered with; only called for statuses that are errors. */
    static int forStatus(int status) {
        return switch (status) {
            case 400 -> INVALID;
            case 401, 403 -> NOT_AUTHORISED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            default -> ERROR;
        };
    }

    /** The list shown under "Exit codes" in the help of every client command. */
    static Map<String, String> help() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(Integer.toString(OK), "success");
        codes.put(Integer.toString(ERROR), "the broker answered with another error, or could not be reached");
        codes.put(Integer.toString(USAGE), "invalid options or arguments");
        codes.put(Integer.toString(NOT_FOUND), "not found (HTTP 404)");
        codes.put(Integer.toString(NOT_AUTHORISED), "not authorised or access refused (HTTP 401, 403)");
        codes.put(Integer.toString(CONFLICT), "conflict: exists with other properties, not empty, in use (HTTP 409)");
        codes.put(Integer.toString(INVALID), "invalid input rejected by the broker (HTTP 400)");
        return codes;
    }
}
