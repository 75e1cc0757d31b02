package io.wharf.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code wharf cluster status}, {@code add-member} and {@code remove-member}. */
@Command(name = "cluster", description = "Shows and changes the cluster this broker is a node of.",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.AddMember.class, ClusterCommand.RemoveMember.class})
final class ClusterCommand extends CommandGroup {

    @Command(name = "add-member", description = {
        "Adds a member to the cluster (POST /api/cluster/members): the leader brings it up to date, then it votes.",
        "Start the new node first, with cluster.members naming every member and itself. Needs the administrator tag."})
    static final class AddMember extends AuthenticatedCommand {

        @Parameters(paramLabel = "MEMBER", description = "The new member as id@host:port, its Raft address.")
        String member;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            done(api.post(ApiClient.path("cluster", "members"), Map.of("member", member)), "added member " + member);
        }
    }

    @Command(name = "remove-member", description = {
        "Removes a member from the cluster (DELETE /api/cluster/members/{id}); stop that node afterwards.",
        "Needs the administrator tag."})
    static final class RemoveMember extends AuthenticatedCommand {

        @Parameters(paramLabel = "ID", description = "The member's node id.")
        String id;

        @Override
        void run(ApiClient api) throws CommandException, InterruptedException {
            done(api.delete(ApiClient.path("cluster", "members", id), Map.of()), "removed member " + id);
        }
    }

    @Command(name = "status", description = {
        "Shows every member and whether it answers, and each Raft group: its leader, term, commit and applied index, and "
            + "each replica's lag as the group's leader sees it (GET /api/cluster).",
        "Only a group's leader knows how far behind the others are and which of them are down: a node that does not lead asks it."})
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
            Table members = new Table().left("MEMBER").left("ADDRESS").left("STATE").left("CLIENTS");
            for (JsonNode m : cluster.path("members")) {
                List<String> listeners = new ArrayList<>();
                m.path("listeners").fields().forEachRemaining(l -> listeners.add(l.getKey() + " " + l.getValue().asInt()));
                String clients = m.hasNonNull("host") ? m.path("host").asText() + ": " + String.join(", ", listeners) : "-";
                members.row(m.path("id").asText(), m.path("address").asText(), m.path("state").asText(), clients);
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
