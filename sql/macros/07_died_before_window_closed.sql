-- The exclusion for a unit whose window was cut short by death: the reason, or NULL when the
-- patient was alive when the window closed (or no death is recorded).
create or replace temp macro died_before_window_closed(date_of_death, window_end) as
    case when date_of_death < window_end
        then 'died_before_window_closed: died on ' || strftime(date_of_death, '%Y-%m-%d') end
