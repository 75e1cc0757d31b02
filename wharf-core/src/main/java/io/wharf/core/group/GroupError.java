package io.wharf.core.group;

/** Why the coordinator refused a member's request; protocol adapters map each to their own code. */
public enum GroupError {
    NONE,
    /** The member is not (or no longer) in the group. */
    UNKNOWN_MEMBER_ID,
    /** The member named a generation other than the group's current one. */
    ILLEGAL_GENERATION,
    /** Another member now holds the static instance id this member claims. */
    FENCED_INSTANCE_ID,
    /** The group is rebalancing: the member must join again. */
    REBALANCE_IN_PROGRESS,
    /** The member's protocol type differs from the group's, or it offers no protocol. */
    INCONSISTENT_GROUP_PROTOCOL,
    /** A new member must join again with the id the coordinator handed it. */
    MEMBER_ID_REQUIRED,
    /** The group is being deleted. */
    COORDINATOR_NOT_AVAILABLE
}
