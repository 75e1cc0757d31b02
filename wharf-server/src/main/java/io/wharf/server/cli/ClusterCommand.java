package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code wharf cluster status}. */
@Command(name = "cluster", description = "Shows the cluster this broker is a node of.", subcommands = ClusterCommand.Status.class)
final class ClusterCommand extends CommandGroup {

    @Command(name = "status", description = {
        "Shows every member and whether it answers, and each Raft group: its leader, term, commit and applied index, and "
            + "each replica's lag as the group's leader sees it (GET /api/cluster).",
        "Only a group's leader knows how far behind the others are and which of them are down; ask the node that leads."})
    static final class Status extends ReadCommand {

        @Override
        String path() {
            return ApiClient.path("cluster");
        }

        @Override
        void print(JsonNode cluster) {
            if (!cluster.path("clustered").asBoolean()) {
                out().println("not clustered: this broker is a single node (cluster.members is empty)");
                return;
            }
            out().println("node " + cluster.path("node").asText());
            Table members = new Table().left("MEMBER").left("ADDRESS").left("STATE");
            for (JsonNode m : cluster.path("members")) {
                members.row(m.path("id").asText(), m.path("address").asText(), m.path("state").asText());
            }
            members.print(out());
            out().println();
            Table groups = new Table().left("GROUP").left("ROLE").left("LEADER").right("TERM").right("COMMIT").right("APPLIED")
                    .left("REPLICAS (lag, last contact)");
            for (JsonNode g : cluster.path("groups")) {
                StringBuilder replicas = new StringBuilder();
                for (JsonNode r : g.path("replicas")) {
                    if (!replicas.isEmpty()) {
                        replicas.append(", ");
                    }
                    replicas.append(r.path("id").asText()).append(" (").append(r.path("lag").asLong()).append(", ")
                            .append(Units.duration(r.path("last_contact_ms").asLong())).append(')');
                }
                groups.row(g.path("group").asText(), g.path("role").asText(), g.path("leader").asText("-"),
                        g.path("term").asLong(), g.path("commit_index").asLong(), g.path("applied_index").asLong(),
                        replicas.isEmpty() ? "-" : replicas.toString());
            }
            groups.print(out());
        }
    }
}
