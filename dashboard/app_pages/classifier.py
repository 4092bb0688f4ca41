"""Classifier (marketing): label queue, training, model versions with metrics, the score threshold
against precision/recall and opportunities per day, and the persona editor with validation."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.persona_toml import persona_to_toml, toml_to_persona
from dashboard.state import config, db_url, flash, require_user, run_command, sessions
from radar import commands
from radar.models import INTENTS
from radar.queries import label_counts, label_queue, model_versions, persona_definitions, threshold_curve

user = require_user("admin", "marketing")


@st.cache_data(ttl=30)
def _queue(url: str) -> list[dict]:
    with sessions()() as s:
        return label_queue(s, config(), limit=20)


@st.cache_data(ttl=30)
def _counts(url: str) -> dict:
    with sessions()() as s:
        return label_counts(s)


@st.cache_data(ttl=60)
def _versions(url: str) -> list[dict]:
    with sessions()() as s:
        return model_versions(s)


@st.cache_data(ttl=300)
def _curve(url: str) -> dict:
    with sessions()() as s:
        return threshold_curve(s)


@st.cache_data(ttl=60)
def _personas(url: str) -> list[dict]:
    with sessions()() as s:
        return persona_definitions(s)


st.title("Classifier")
flash()
tab_label, tab_train, tab_threshold, tab_persona = st.tabs(["Label queue", "Training & models", "Threshold", "Personas"])

with tab_label:
    counts = _counts(db_url())
    st.caption(f"{counts['help request']:,} posts labelled as help requests, {counts['not']:,} as not. "
               "Consultants' actions on the Today page add labels too.")
    queue = _queue(db_url())
    if not queue:
        st.info("Nothing to label: every recent post has a human label.")
    else:
        item = queue[0]
        st.caption(f"{len(queue)} posts waiting (least certain first) · model says p = {item['probability']} · {item['language'] or '?'}")
        with st.container(border=True):
            st.text(item["title"])
            st.text(item["body"][:3000])
        intent = st.selectbox("Intent (when it is a help request)", [i for i in INTENTS if i != "none"],
                              index=max(0, [i for i in INTENTS if i != "none"].index(item["intent"])) if item["intent"] in INTENTS and item["intent"] != "none" else 0,
                              key=f"lq_intent_{item['mention_id']}")
        b1, b2, b3 = st.columns([1, 1, 4])
        if b1.button("Help request", type="primary", key="lq_yes"):
            run_command(commands.add_label, item["mention_id"], 1, intent, user.id, success="Labelled as help request.")
            st.rerun()
        if b2.button("Not a request", key="lq_no"):
            run_command(commands.add_label, item["mention_id"], 0, None, user.id, success="Labelled as not a request.")
            st.rerun()

with tab_train:
    st.caption("Training uses the shipped training data plus every label given here and on the Today page. "
               "A new model is activated only when it is not worse than the active one on the same evaluation split.")
    quick = st.number_input("Quick run: at most this many posts per source and label (0: all)", 0, 100000, 0, step=50, key="train_quick")
    if st.button("Train a new model", key="train"):
        bar = st.progress(0.0, text="Starting …")
        result = commands.train_model(lambda frac, step: bar.progress(frac, text=f"Training: {step}"), max_per_source=int(quick) or None)
        if result.returncode == 0:
            st.success("Trained.")
        elif result.returncode == 3:
            st.warning("Trained, but not activated: the new model is worse than the active one.")
        else:
            st.error(f"Training failed (exit code {result.returncode}).")
        st.code(result.output or "(no output)", language=None)
        st.cache_data.clear()
    versions = _versions(db_url())
    if versions:
        st.dataframe(pd.DataFrame(versions), hide_index=True, width="stretch",
                     column_config={"created_at": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD HH:mm"),
                                    "notes": st.column_config.TextColumn("Notes", width="large")})
        active = next((v["version"] for v in versions if v["active"]), None)
        c1, c2, _ = st.columns([3, 1, 1])
        pick = c1.selectbox("Model version", [v["version"] for v in versions], key="model_pick",
                            format_func=lambda v: f"{v} (active)" if v == active else v)
        if c2.button("Activate", key="model_activate", disabled=pick == active):
            if run_command(commands.activate_model, pick, success=f"Model {pick} is active; new posts are classified with it."):
                st.rerun()
        if c2.button("Roll back", key="model_rollback"):
            if run_command(commands.rollback_model, success="Rolled back to the previous model."):
                st.rerun()

with tab_threshold:
    curve = _curve(db_url())
    t = st.slider("Score threshold", 0, 100, 45, key="threshold",
                  help="Posts scoring at least this many points count as opportunities")
    i = curve["thresholds"].index(t)
    c1, c2, c3 = st.columns(3)
    c1.metric("Precision", "—" if curve["precision"][i] is None else f"{curve['precision'][i]:.0%}")
    c2.metric("Recall", "—" if curve["recall"][i] is None else f"{curve['recall'][i]:.0%}")
    c3.metric("Opportunities per day", f"{curve['per_day'][i]:.1f}")
    df = pd.DataFrame({"threshold": curve["thresholds"], "precision": curve["precision"], "recall": curve["recall"],
                       "per day": curve["per_day"]})
    rule = alt.Chart(pd.DataFrame({"threshold": [t]})).mark_rule(color="#d33", strokeDash=[4, 3]).encode(x="threshold:Q")
    volume = alt.Chart(df).mark_area(opacity=0.25).encode(
        x=alt.X("threshold:Q", title="score threshold"), y=alt.Y("per day:Q", title="opportunities per day"),
        tooltip=["threshold", "per day"])
    if curve["labelled"]:
        pr = alt.Chart(df.melt(id_vars="threshold", value_vars=["precision", "recall"], var_name="measure", value_name="value")
                       .dropna()).mark_line().encode(
            x="threshold:Q", y=alt.Y("value:Q", title="precision / recall", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("measure:N", title=None), tooltip=["threshold", "measure", "value"])
        st.altair_chart(alt.layer(volume, pr, rule).resolve_scale(y="independent"), width="stretch")
        st.caption(f"Precision and recall against {curve['labelled']:,} human labels (lines, right axis); "
                   "opportunities per day over the last 30 days (area, left axis).")
    else:
        st.info("No labelled posts yet: label some in the queue (or review posts on the Today page) to see precision and recall.")
        st.altair_chart(alt.layer(volume, rule), width="stretch")
        st.caption("Opportunities per day over the last 30 days for each threshold.")

with tab_persona:
    personas = _personas(db_url())
    names = [p["name"] for p in personas]
    pick = st.selectbox("Persona", [None, *names], format_func=lambda n: "+ New persona" if n is None else n, key="persona_pick")
    if pick is None:
        template = {"name": "new-persona", "title": "", "languages": ["de", "en"], "exclude": [],
                    "criteria": [{"name": "Thema", "type": "keywords", "weight": 1.0, "values": [{"terms": ["buchhaltung"], "points": 100}]}]}
    else:
        template = next(p for p in personas if p["name"] == pick)["definition"]
    src = st.text_area("Definition (TOML, as in personas.toml)", persona_to_toml(template), height=380, key=f"persona_src_{pick}")
    problems = None
    try:
        definition = toml_to_persona(src)
        commands.validate_persona(definition)
    except (ValueError, commands.ActionError) as exc:
        problems = str(exc)
    if problems:
        st.error(problems)
    else:
        st.success("Valid.")
    if st.button("Save persona", type="primary", disabled=problems is not None, key="persona_save"):
        pc = run_command(commands.save_persona, definition, success="Persona saved; new classifications use it.")
        if pc is not None:
            st.rerun()
    all_toml = "\n".join(persona_to_toml(p["definition"]) for p in personas)
    st.download_button("Download personas.toml", all_toml.encode(), "personas.toml", "text/plain",
                       help="`radar config load` reads personas from this file; keep it in sync after edits here.")
