package io.wharf.management.api;

import io.wharf.core.Broker;
import io.wharf.management.http.Router;

import java.util.Map;
import java.util.function.Supplier;

/** Every route of the management API, registered on one router. */
public final class ManagementApi {

    private ManagementApi() {
    }

    /**
     * @param listeners the broker's listening ports by protocol, for the overview
     */
    public static Router routes(Broker broker, Rates rates, Supplier<Map<String, Integer>> listeners) {
        Views views = new Views(broker, rates);
        Router router = new Router();
        new OverviewRoutes(views, listeners).register(router);
        new QueueRoutes(views).register(router);
        new ExchangeRoutes(views).register(router);
        new BindingRoutes(views).register(router);
        new StreamRoutes(views).register(router);
        new ConnectionRoutes(views).register(router);
        new UserRoutes(views).register(router);
        new StorageRoutes(views).register(router);
        new ClusterRoutes(views).register(router);
        return router;
    }
}
