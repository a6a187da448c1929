/** Style sheets imported for their side effect; esbuild bundles them into the app's main.css. */
declare module "*.css";
