//! The routes the server answers, recorded as they are registered: axum's `Router` cannot
//! list its routes, so every route goes through a `RouteTable`, which adds it to the router and
//! writes down its path and methods. The same table builds the router and answers
//! `krousar_web::routes()`, so the two cannot drift apart; the leak sweep requests every route
//! of that list, and a new route the sweep does not know fails it.
//!
//! Handlers' code is unchanged: `get`, `post`, … here have axum's signatures and return a
//! `Methods`, which remembers which methods it was given.

use axum::handler::Handler;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route as AxumRoute};
use axum::Router;
use std::convert::Infallible;
use tower::{Layer, Service};

/// One route the server answers: a method and its full path, parameters as `{name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: String,
}

/// A method router that remembers its methods.
pub struct Methods<S> {
    inner: MethodRouter<S>,
    methods: Vec<Method>,
}

macro_rules! method_fns {
    ($($name:ident => $method:ident),*) => {
        $(
            pub fn $name<H, T, S>(handler: H) -> Methods<S>
            where
                H: Handler<T, S>,
                T: 'static,
                S: Clone + Send + Sync + 'static,
            {
                Methods { inner: axum::routing::$name(handler), methods: vec![Method::$method] }
            }

            impl<S: Clone + Send + Sync + 'static> Methods<S> {
                pub fn $name<H, T>(mut self, handler: H) -> Self
                where
                    H: Handler<T, S>,
                    T: 'static,
                {
                    self.inner = self.inner.$name(handler);
                    self.methods.push(Method::$method);
                    self
                }
            }
        )*
    };
}

method_fns!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

impl<S: Clone + Send + Sync + 'static> Methods<S> {
    /// A layer on these methods only (a larger body limit for an upload).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<AxumRoute> + Clone + Send + Sync + 'static,
        L::Service: Service<axum::extract::Request, Error = Infallible> + Clone + Send + Sync + 'static,
        <L::Service as Service<axum::extract::Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.inner = self.inner.layer(layer);
        self
    }
}

/// A router and the list of what it serves, built together.
pub struct RouteTable<S = ()> {
    router: Router<S>,
    routes: Vec<Route>,
}

impl<S: Clone + Send + Sync + 'static> Default for RouteTable<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Clone + Send + Sync + 'static> RouteTable<S> {
    pub fn new() -> Self {
        RouteTable { router: Router::new(), routes: Vec::new() }
    }

    pub fn route(mut self, path: &str, methods: Methods<S>) -> Self {
        self.routes.extend(methods.methods.into_iter().map(|method| Route { method, path: path.to_string() }));
        self.router = self.router.route(path, methods.inner);
        self
    }

    pub fn nest(mut self, prefix: &str, table: RouteTable<S>) -> Self {
        self.routes.extend(table.routes.into_iter().map(|r| Route { method: r.method, path: format!("{prefix}{}", r.path) }));
        self.router = self.router.nest(prefix, table.router);
        self
    }

    pub fn merge(mut self, table: RouteTable<S>) -> Self {
        self.routes.extend(table.routes);
        self.router = self.router.merge(table.router);
        self
    }

    /// What answers a path none of the routes match (not a route: it is not listed).
    pub fn fallback<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.router = self.router.fallback(handler);
        self
    }

    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<AxumRoute> + Clone + Send + Sync + 'static,
        L::Service: Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<axum::extract::Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<axum::extract::Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }

    /// The router and the list, apart.
    pub fn into_parts(self) -> (Router<S>, Vec<Route>) {
        (self.router, self.routes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    async fn ok() -> &'static str {
        "ok"
    }

    #[tokio::test]
    async fn the_list_is_what_the_router_serves() {
        let inner = RouteTable::new().route("/b/{id}", get(ok).patch(ok));
        let table = RouteTable::new()
            .route("/a", get(ok).post(ok).layer(axum::extract::DefaultBodyLimit::max(10)))
            .nest("/api", inner)
            .merge(RouteTable::new().route("/c", put(ok).delete(ok)));
        let (router, routes) = table.into_parts();
        let listed: Vec<(Method, &str)> = routes.iter().map(|r| (r.method.clone(), r.path.as_str())).collect();
        assert_eq!(
            listed,
            [
                (Method::GET, "/a"),
                (Method::POST, "/a"),
                (Method::GET, "/api/b/{id}"),
                (Method::PATCH, "/api/b/{id}"),
                (Method::PUT, "/c"),
                (Method::DELETE, "/c")
            ]
        );
        let status = |m: Method, p: &str| {
            let req = axum::http::Request::builder().method(m).uri(p).body(Body::empty()).unwrap();
            let router = router.clone();
            async move { router.oneshot(req).await.unwrap().status().as_u16() }
        };
        // Every listed method is served; a method not listed is not.
        for r in &routes {
            assert_eq!(status(r.method.clone(), &r.path.replace("{id}", "1")).await, 200, "{r:?}");
        }
        assert_eq!(status(Method::DELETE, "/a").await, 405);
        assert_eq!(status(Method::GET, "/c").await, 405);
    }
}
