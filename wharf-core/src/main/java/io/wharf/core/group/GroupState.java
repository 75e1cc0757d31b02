package io.wharf.core.group;

/** Where a consumer group is in its rebalance cycle. */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String displayName;

    GroupState(String displayName) {
        this.displayName = displayName;
    }

    /** The state as operators and Kafka's DescribeGroups and ListGroups name it. */
    public String displayName() {
        return displayName;
    }
}
