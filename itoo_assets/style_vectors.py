"""Style vectors: the visual style of every outfit post, from its items' embeddings."""


import dagster as dg

from resources import ArtifactStoreResource, ModelRuntimeResource, SqlDatabaseResource
from resources.artifact_store import new_version


@dg.asset(group_name="recommendations", deps=["app_database"], kinds={"onnx"})
def style_vectors(context: dg.AssetExecutionContext, search_embedder: dict, artifacts: ArtifactStoreResource,
                  app_db: SqlDatabaseResource, model_runtime: ModelRuntimeResource) -> dg.MaterializeResult:
    """Embeds the item crops of every OOTD in the app database with the search embedder and
    averages them into one content vector per OOTD (`style_vectors/<version>/`)."""
    from itoo import app_db as schema
    from itoo.inference import ModelSet
    from itoo.recommendation_tables import outfit_content_vectors, save_vectors

    store, engine = artifacts.store(), app_db.db().engine
    ootds, items = schema.read_frame(engine, schema.ootds), schema.read_frame(engine, schema.ootd_items)
    models = ModelSet(store, model_runtime.runtime(), {"search_embedder": search_embedder})
    vectors = outfit_content_vectors(store, models, ootds, items)
    version = new_version()
    manifest = {"version": version, "embedder_version": search_embedder["version"],
                **save_vectors(store, f"style_vectors/{version}", vectors)}
    context.log.info(f"style vectors for {len(vectors)} of {len(ootds)} OOTDs")
    return dg.MaterializeResult(value=manifest, metadata={
        "ootds": len(ootds), "vectors": len(vectors), "version": version,
        "vectors_uri": dg.MetadataValue.path(store.uri(manifest["vectors_key"])),
        "vectors_sha256": manifest["vectors_sha256"], "embedder_version": search_embedder["version"]})
