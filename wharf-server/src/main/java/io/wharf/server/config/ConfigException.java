package io.wharf.server.config;

import java.util.List;

/**
 * A configuration Wharf cannot start with. Each problem names the key, the value, where the value
 * came from and what is accepted, so the user knows what to change.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
