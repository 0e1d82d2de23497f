"""The broadcast's render layer (../shared/downstream/render_layer.sql) on the tables this project fills,
compared with production's schema loaded the way production's normaliser loads it."""
