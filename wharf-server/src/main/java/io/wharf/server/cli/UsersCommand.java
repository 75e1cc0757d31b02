package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code wharf users}: the broker's users and their permissions. Needs the {@code administrator} tag. */
@Command(name = "users", aliases = "user", description = "Lists, adds and deletes users, and sets their permissions.",
        subcommands = {UsersCommand.Listing.class, UsersCommand.Add.class, UsersCommand.Delete.class, UsersCommand.SetPermissions.class})
final class UsersCommand extends CommandGroup {

    @Command(name = "list", description = "Lists users and their tags (GET /api/users).")
    static final class Listing extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("users");
        }

        @Override
        void print(JsonNode users) {
            Table table = new Table().left("NAME").left("TAGS").left("LOOPBACK-ONLY");
            for (JsonNode u : users) {
                table.row(u.path("name").asText(), tags(u.path("tags")), Units.flag(u.path("loopback_only")));
            }
            table.print(out());
        }

        /** The API sends a list; RabbitMQ before 3.12 sent a comma-separated string. */
        private static String tags(JsonNode tags) {
            if (!tags.isArray()) {
                return tags.asText();
            }
            List<String> names = new ArrayList<>();
            tags.forEach(t -> names.add(t.asText()));
            return String.join(",", names);
        }
    }

    /**
     * Here {@code --password} is the new user's, so this command does not take the caller's
     * password as an option: it comes from {@code WHARF_PASSWORD} (or the default).
     */
    @Command(name = "add", description = {"Adds a user, or changes an existing user's password and tags (PUT /api/users/{name}).",
        "Here --password is the new user's; the caller's own password comes from " + ClientOptions.PASSWORD_VARIABLE + "."})
    static final class Add extends ClientCommand {

        @Parameters(paramLabel = "NAME", description = "The user's name.")
        String name;

        @Option(names = "--password", paramLabel = "PASSWORD", required = true, description = "The new user's password.")
        String newPassword;

        @Option(names = "--tags", paramLabel = "TAG", split = ",",
                description = "Tags, comma-separated: administrator, monitoring, management (for the API), or any of your own.")
        List<String> tags = new ArrayList<>();

        @Override
        String passwordOption() {
            return null;
        }

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("password", newPassword);
            body.put("tags", String.join(",", tags));
            ApiClient.ApiResponse response = api.put(ApiClient.path("users", name), body);
            done(response, (response.created() ? "added user " : "updated user ") + name);
        }
    }

    @Command(name = "delete", description = "Deletes a user and its permissions (DELETE /api/users/{name}).")
    static final class Delete extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The user's name.")
        String name;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            done(api.delete(ApiClient.path("users", name), Map.of()), "deleted user " + name);
        }
    }

    @Command(name = "set-permissions", description = {"Sets what a user may do in the vhost given by --vhost (PUT /api/permissions/{vhost}/{user}).",
        "Each permission is a regular expression over the names of queues and exchanges; '.*' is everything, '' nothing."})
    static final class SetPermissions extends AuthenticatedCommand {

        @Parameters(paramLabel = "NAME", description = "The user's name.")
        String name;

        @Option(names = "--configure", paramLabel = "REGEX", required = true, description = "Names the user may declare and delete.")
        String configure;

        @Option(names = "--write", paramLabel = "REGEX", required = true, description = "Names the user may publish to.")
        String write;

        @Option(names = "--read", paramLabel = "REGEX", required = true, description = "Names the user may consume, get and purge from.")
        String read;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("configure", configure);
            body.put("write", write);
            body.put("read", read);
            done(api.put(ApiClient.path("permissions", vhost(), name), body), "set the permissions of " + name + " in vhost " + vhost());
        }
    }
}
